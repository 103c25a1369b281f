"""Messages core: review replies and SMS, rendered from templates and checked (rules.md §4).

Pure Python, no Excel and no file I/O beyond the bundled default templates.

* :mod:`.fields`  – the row field names (FIELDS) and their normalisation
* :mod:`.sms`     – SMS kinds and checks SMS-1 … SMS-9
* :mod:`.lint`    – forbidden phrases (§4.3) as a data table
* :mod:`.reviews` – review routing and reply checks RV-1 … RV-7
* :mod:`.render`  – sandboxed Jinja2 templates, TemplateSet with the bundled defaults
* :mod:`.merge`   – merge_rows(): the one entry point for the workbook layer
"""
from ..core.parse import to_phone
from .fields import FIELDS, FIELDS_BY_NAME
from .lint import LINT_RULES, lint
from .merge import MergeResult, merge_rows
from .render import TEMPLATE_KEYS, RenderError, TemplateSet
from .reviews import Review, check_reply, classify_review
from .sms import KINDS, SmsCheck, check_sms, sms_length

__all__ = ["FIELDS", "FIELDS_BY_NAME", "to_phone", "LINT_RULES", "lint", "MergeResult", "merge_rows",
           "TEMPLATE_KEYS", "RenderError", "TemplateSet", "Review", "check_reply", "classify_review", "KINDS",
           "SmsCheck", "check_sms", "sms_length"]
