"""R407: a payload field that named a column at the base still names one (see the rule)."""

from __future__ import annotations

from collections.abc import Mapping

from ..findings import Finding, Severity
from ..loader import Registry, ServiceDoc
from ..rules.relationships import stale_payload_fields

CODE = "R407"


def payload_findings(
    base: Mapping[str, ServiceDoc], head: Registry, severity: Severity
) -> list[Finding]:
    """One finding per payload field of a changed service that lost its column."""
    found = []
    for name in sorted(base.keys() & head.services.keys()):
        doc = head.services[name]
        for i, j, column in stale_payload_fields(base[name].model, doc.model):
            event = doc.model.events.publishes[i]
            line, col = doc.source.locate(("events", "publishes", i, "payload", j))
            field = event.payload[j]
            message = (
                f"payload field '{field}' of event '{event.name}' named column {column}, "
                "which this change removes: drop the field (consumers must stop reading it "
                "first) or keep the column"
            )
            found.append(
                Finding(doc.file, line, col, CODE, message, f"{name}.{event.name}", severity)
            )
    return found
