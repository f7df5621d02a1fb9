"""SARIF 2.1.0: one run, the rule catalogue as `tool.driver.rules`, one result a finding.

The catalogue comes in as `RuleDoc`s (the command builds them from the rules), so this
module depends on findings only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .. import __version__
from ..findings import Finding, RuleDoc

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# A finding accepted in the registry's baseline: known, and hidden by code scanning.
BASELINED = {
    "baselineState": "unchanged",
    "suppressions": [{"kind": "external", "justification": "registry/baseline.yaml"}],
}


def _descriptor(rule: RuleDoc) -> dict:
    descriptor = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.description},
        "helpUri": rule.help_uri,
        "help": {"text": rule.help},
        "defaultConfiguration": {"level": rule.severity},
    }
    return {key: value for key, value in descriptor.items() if value not in ("", {"text": ""})}


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


def render(
    findings: list[Finding], rules: Sequence[RuleDoc] = (), information_uri: str = ""
) -> str:
    descriptors = [_descriptor(rule) for rule in sorted(rules, key=lambda r: r.code)]
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
            **(BASELINED if f.baselined else {}),
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
                        **({"informationUri": information_uri} if information_uri else {}),
                        "rules": descriptors,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
