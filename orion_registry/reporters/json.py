"""`{"findings": [...], "summary": {...}}`, stable key order."""

from __future__ import annotations

import json

from ..findings import Finding, summarize


def render(findings: list[Finding]) -> str:
    payload = {"findings": [f.as_dict() for f in findings], "summary": summarize(findings)}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
