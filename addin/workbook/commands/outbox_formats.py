"""The bulk-SMS file formats `aftersales outbox` and `run` write: names and one-line descriptions.

Kept apart from outbox.py so the command line can list them (in --help) without importing the mail merge.
"""
from __future__ import annotations

FORMATS = {
    "aliyun-xlsx": "阿里云群发助手号码文件 (.xlsx, 每个模板CODE+签名一个) / Aliyun bulk-send numbers files",
    "aliyun-batch-json": "阿里云 SendBatchSms 请求体 (.json, 每个请求≤100个号码) / SendBatchSms request bodies",
    "tencent-xlsx": "腾讯云群发号码文件 (.xlsx: 号码, 变量{1}…{N}; 每个≤30MB) / Tencent Cloud bulk-send files",
    "csv": "通用短信文件 (手机号码, 短信内容; UTF-8 BOM) / free-text CSV for other vendors",
}
