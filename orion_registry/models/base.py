"""Shared pieces of the Pydantic models: structure only, never conventions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass

Severity = Literal["error", "warning"]
SeverityOrOff = Literal["error", "warning", "off"]

# Frozen, slotted dataclasses: structural validation with a small memory footprint.
STRICT = ConfigDict(extra="forbid", str_strip_whitespace=False)


def model(cls):
    """Declare a registry model: validated, immutable, slotted, unknown keys refused."""
    return dataclass(frozen=True, slots=True, config=STRICT)(cls)


def items(*, description: str = ""):
    return Field(default_factory=list, description=description)


Text = Annotated[str, Field(min_length=1)]
# A URL a page or report may link to: http(s) only (no `javascript:`, `data:`, `file:`...).
WEB_URL_PATTERN = r"^https?://[^\s\x00-\x1f\x7f]+$"
WebUrl = Annotated[str, Field(pattern=WEB_URL_PATTERN)]

# The error type of a validator that blames one entry of a list: its context's `at` is the
# path from the validated value to the entry's key, so the loader can point at it.
ENTRY_ERROR = "entry_error"
