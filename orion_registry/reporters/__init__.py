"""Reporters: findings -> text for a terminal, JSON, GitHub workflow commands, SARIF."""

from __future__ import annotations

from collections.abc import Callable

from ..findings import Finding
from . import github, json, sarif, text

Reporter = Callable[[list[Finding]], str]
REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json.render,
    "github": github.render,
    "sarif": sarif.render,
}

__all__ = ["REPORTERS", "Reporter"]
