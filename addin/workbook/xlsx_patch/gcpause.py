"""Pausing the cyclic garbage collector through a big batch: it lives in addin.core.gcpause (the mail
merge pauses it too); imported here for the writer's modules."""
from addin.core.gcpause import gc_paused

__all__ = ["gc_paused"]
