"""Registry-wide settings, `registry/orion.yaml` (optional)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from .base import SeverityOrOff, Text, items, model


@model
class Waiver:
    """An accepted exception to a rule, always with a reason."""

    rule: Text
    target: Text = Field(description="the finding's target, e.g. user.users.idx_users_email")
    reason: str | None = None
    expires: dt.date | None = None


@model
class BaselineEntry:
    """Findings of one rule on one target accepted when the registry adopted the guide."""

    rule: Text
    target: Text
    count: int = Field(1, ge=1, description="how many such findings are accepted")


@model
class Baseline:
    """`registry/baseline.yaml`, written by `orion-registry baseline`."""

    baseline: list[BaselineEntry] = items()


# A severity, or `severity` plus the rule's options: `{severity: warning, max_indexes: 6}`.
RuleOverride = SeverityOrOff | dict[str, object]


@model
class Settings:
    organization: str | None = None
    github_org: str | None = Field(
        None, description="GitHub organization of the owner teams (CODEOWNERS: @org/team)"
    )
    database_prefix: str = "orion_"
    docs_url: str | None = Field(None, description="base URL of the published guide")
    rules: dict[str, RuleOverride] = Field(default_factory=dict)
    waivers: list[Waiver] = items()
