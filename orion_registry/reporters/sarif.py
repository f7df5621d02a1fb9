"""SARIF 2.1.0: one run, the rule catalogue as `tool.driver.rules`, one result a finding."""

from __future__ import annotations

import json

from .. import __version__
from ..findings import LOAD_CODES, Finding
from ..render.paths import SitePaths, page_url
from ..rules import RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DEFAULT_DOCS_URL = "https://orion-registry.readthedocs.io/en/latest/"


def rule_url(code: str | None, docs_url: str | None = None) -> str:
    """The published page of rule `code` (the rules index for None), as the site names it."""
    paths = SitePaths()
    page = paths.rule(code) if code else paths.rules
    return f"{(docs_url or DEFAULT_DOCS_URL).rstrip('/')}/{page_url(page)}"


def _descriptors(docs_url: str | None) -> list[dict]:
    descriptors = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.sections.get("What it checks", rule.summary)},
            "helpUri": rule_url(rule.code, docs_url),
            "help": {"text": rule.sections.get("Why", rule.summary)},
            "defaultConfiguration": {"level": rule.severity},
        }
        for rule in (RULES[code] for code in sorted(RULES))
    ]
    descriptors += [
        {
            "id": code,
            "name": name,
            "shortDescription": {"text": f"registry input is {name}"},
            "helpUri": rule_url(None, docs_url),
            "defaultConfiguration": {"level": "error"},
        }
        for code, name in sorted(LOAD_CODES.items())
    ]
    return descriptors


def _fixes(f: Finding) -> dict:
    """SARIF `fixes`: the offending value replaced by the suggestion, when both are known."""
    if f.suggestion is None or f.replaces is None:
        return {}
    region = {"startLine": f.line, "startColumn": f.column, "endLine": f.line}
    region["endColumn"] = f.column + len(f.replaces)
    change = {
        "artifactLocation": {"uri": f.file},
        "replacements": [{"deletedRegion": region, "insertedContent": {"text": f.suggestion}}],
    }
    return {
        "fixes": [{"description": {"text": f"use '{f.suggestion}'"}, "artifactChanges": [change]}]
    }


def render(findings: list[Finding], docs_url: str | None = None) -> str:
    descriptors = _descriptors(docs_url)
    position = {d["id"]: i for i, d in enumerate(descriptors)}
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": position.get(f.rule, 0),
            "level": f.severity,
            "message": {"text": f"{f.message} [{f.target}]"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.file},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    },
                    "logicalLocations": [{"fullyQualifiedName": f.target}],
                }
            ],
            **_fixes(f),
        }
        for f in findings
    ]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "orion-registry",
                        "version": __version__,
                        "informationUri": (docs_url or DEFAULT_DOCS_URL),
                        "rules": descriptors,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
