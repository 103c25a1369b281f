"""Bytes on disk: reading a workbook fast, the guarded session, the lossless writer."""
