"""S: services and the registry itself (ownership, waivers)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from typing import Any

from ..models import Waiver
from .base import RULES, Violation, rule
from .context import Context, Ref


@rule("S601", "service-has-owner", "error")
def service_has_owner(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A service has an owner and a description.

    ## What it checks
    Every service file names an `owner` (the team that approves changes to it) and gives a
    `description` of what the service's data is for.

    ## Why
    The guide puts every schema change through a review: someone must own the database
    to answer for it, and readers of the registry need to know what the data is before
    they copy or reference it. An unowned database is one nobody reviews.

    ## Bad
    ```yaml
    service: billing
    database: orion_billing
    owner: ""
    ```

    ## Good
    ```yaml
    service: billing
    database: orion_billing
    owner: payments-team
    description: Invoices and payment attempts of every Orion account.
    ```
    """
    for ref in ctx.services:
        for key in ("owner", "description"):
            if not (getattr(ref.service, key) or "").strip():
                yield Violation(ref, f"service '{ref.target}' has no {key}", (key,))


def target_matches(target: str, pattern: str) -> bool:
    """A waiver's target matches a finding's target exactly or as a glob (`user.*`)."""
    return target == pattern or fnmatch.fnmatchcase(target, pattern)


def in_unloaded_service(target: str, ctx: Context) -> bool:
    """The target belongs to a service whose file failed to load: nothing can be said of it."""
    return target.split(".", 1)[0] in ctx.unloaded_services


def waiver_problem(waiver: Waiver, ctx: Context) -> tuple[str, str] | None:
    """Why a waiver is invalid, as (key to point at, message); None when it is valid."""
    if waiver.rule not in RULES:
        return "rule", f"names unknown rule '{waiver.rule}'"
    if (
        waiver.target not in ctx.targets
        and not in_unloaded_service(waiver.target, ctx)
        and not (
            "*" in waiver.target and any(target_matches(t, waiver.target) for t in ctx.targets)
        )
    ):
        return "target", f"names target '{waiver.target}', which does not exist"
    if not (waiver.reason or "").strip():
        return "rule", "gives no reason"
    if waiver.expires is not None and waiver.expires < ctx.today:
        return "expires", (
            f"expired on {waiver.expires.isoformat()}: fix the finding or renew the waiver"
        )
    return None


def _judged(code: str, target: str, ctx: Context) -> bool:
    """Whether this run can tell if a waiver of `code` on `target` is used: the rule ran,
    and, for a rule comparing schemas, on the service the target belongs to."""
    if code not in ctx.ran:
        return False
    if "live" in RULES[code].needs:
        return target.split(".", 1)[0] in (ctx.inputs.live or {})
    return True


def _waiver_refs(ctx: Context) -> Iterator[tuple[int, Waiver, Ref]]:
    settings = ctx.registry.settings
    for i, waiver in enumerate(settings.model.waivers):
        yield i, waiver, Ref(settings, ("waivers", i), waiver.target)


@rule("S602", "valid-waiver", "error")
def valid_waiver(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A waiver names an existing rule and target, gives a reason, and has not expired.

    ## What it checks
    Every entry of `waivers:` in `orion.yaml` names a rule code that exists, a target
    that exists in the registry (exactly, or a glob such as `user.*`), gives a non-empty
    `reason`, and has an `expires` date that has not passed. An invalid waiver suppresses
    nothing.

    ## Why
    An exception to a convention must be justified and temporary, or it becomes the
    convention. A waiver for a table that was renamed, or one that expired, silently
    hides nothing or hides too much; the review must see it.

    ## Bad
    ```yaml
    # orion.yaml
    waivers:
      - rule: I303
        target: example.users.idx_users_email
        reason: ""
        expires: 2020-01-31
    ---
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
        indexes:
          - {name: idx_users_email, columns: [email]}
    ```

    ## Good
    ```yaml
    # orion.yaml
    waivers:
      - rule: I303
        target: example.users.idx_users_email
        reason: kept until the search service moves to trigram search
        expires: 2999-03-31
    ---
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
        indexes:
          - {name: idx_users_email, columns: [email]}
    ```
    """
    for i, waiver, ref in _waiver_refs(ctx):
        problem = waiver_problem(waiver, ctx)
        if problem is not None:
            key, message = problem
            yield Violation(
                ref, f"waiver {i + 1} ({waiver.rule} on {waiver.target}) {message}", (key,)
            )


@rule("S603", "unused-waiver", "warning", after_waivers=True)
def unused_waiver(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A valid waiver suppresses at least one finding.

    ## What it checks
    After all rules ran, every valid waiver must have suppressed a finding. A waiver that
    suppresses nothing is reported so it can be removed. Waivers of rules that only
    `diff` or `drift` evaluate (M504, D7xx) are left to those commands.

    ## Why
    Once the underlying problem is fixed, a leftover waiver would silently excuse the
    same problem if it came back. Like an unused `noqa`, it should go.

    ## Bad
    ```yaml
    # orion.yaml
    waivers:
      - rule: N101
        target: example.users
        reason: legacy name kept for the reporting tool
        expires: 2999-01-01
    ---
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```

    ## Good
    ```yaml
    # orion.yaml
    waivers:
      - rule: N101
        target: example.userAccounts
        reason: legacy name kept for the reporting tool
        expires: 2999-01-01
    ---
    tables:
      - name: userAccounts
        model: UserAccount
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```
    """
    for i, waiver, ref in _waiver_refs(ctx):
        if (
            waiver_problem(waiver, ctx) is not None
            or not _judged(waiver.rule, waiver.target, ctx)
            or in_unloaded_service(waiver.target, ctx)
        ):
            continue  # invalid (S602), for a rule this command did not run, or unknowable
        if i not in ctx.used_waivers:
            yield Violation(
                ref,
                f"waiver {i + 1} ({waiver.rule} on {waiver.target}) suppresses nothing; remove it",
                ("rule",),
            )


@rule("S605", "baseline-entry-occurs", "warning", after_waivers=True)
def baseline_entry_occurs(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every entry of the baseline still matches as many findings as it accepts.

    ## What it checks
    `orion-registry baseline` records the findings a registry had when it adopted the
    guide in `baseline.yaml`, by rule and target with a count. `check` then reports
    baselined findings only as a count and fails only on new ones. An entry that matches
    fewer findings than its `count` (because they were fixed) is stale: remove it, or
    lower its count, so the baseline shrinks as teams fix things.

    ## Why
    A baseline is a debt list, not a licence: like an unused waiver, a stale entry would
    silently accept the same problem if it came back.

    ## Bad
    ```yaml
    # file: baseline.yaml
    baseline:
      - {rule: N101, target: example.userAccounts, count: 1}
    ---
    tables:
      - name: user_accounts
        model: UserAccount
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```

    ## Good
    ```yaml
    # file: baseline.yaml
    baseline:
      - {rule: N101, target: example.userAccounts, count: 1}
    ---
    tables:
      - name: userAccounts
        model: UserAccount
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```
    """
    baseline = ctx.registry.baseline
    if baseline is None:
        return
    for i, entry in enumerate(baseline.model.baseline):
        ref = Ref(baseline, ("baseline", i), entry.target)
        if entry.rule not in RULES:
            yield Violation(
                ref, f"baseline entry {i + 1} names unknown rule '{entry.rule}'", ("rule",)
            )
            continue
        if entry.rule not in ctx.ran or in_unloaded_service(entry.target, ctx):
            continue  # this run cannot tell
        if "live" in RULES[entry.rule].needs:
            continue  # schema comparisons are judged by `drift`, not by the baseline
        matched = ctx.baseline_matches.get(i, 0)
        if matched >= entry.count:
            continue
        fix = "remove it" if matched == 0 else f"lower its count to {matched}"
        yield Violation(
            ref,
            f"baseline entry {i + 1} ({entry.rule} on {entry.target}) accepts {entry.count} "
            f"finding(s) but {matched} remain: {fix}",
            ("rule",),
        )
