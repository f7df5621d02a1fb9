"""The command line: `check` in every format, selection, exit codes, `rules`, `rule`, `schema`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from .helpers import BUNDLED_REGISTRY, ROOT, SHARED, run_cli, run_module

# A registry that follows the conventions except for the violations listed in EXPECTED.
SHOP = """\
service: shop
title: Shop
owner: ""
description: Orders placed in the Orion shop.
database: orion_shop
tables:
  - name: orders
    model: Order
    description: One row per order.
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - {name: number, type: varchar(20), unique: true, description: Order number.}
      - name: invoice_id
        type: uuid
        description: The invoice of the order.
        references:
          column: billing.invoices.id
          sync: event
          events: [billing.invoice_created]
          foreign_key: true
      - {name: coupon_id, type: uuid, nullable: true, description: A coupon.}
      - {name: created_at, type: timestamptz, default: now()}
      - {name: updated_at, type: timestamptz, updated_at: true}
    indexes:
      - {name: idx_orders_invoice_id, columns: [invoice_id]}
      - {name: idx_orders_coupon_id, columns: [coupon_id]}
      - {name: idx_orders_number, columns: [number]}
      - {name: idx_orders_placed_at, columns: [placed_at]}
events:
  publishes:
    - {name: shop.order_updated, payload: [order_id, changes]}
migrations:
  - id: 20250101_drop_order_notes
    date: 2025-01-01
    type: breaking
    purpose: Orders no longer carry free-text notes.
    changes: [drop column orders.notes]
    rollback: Restore the column from the nightly backup.
"""

BILLING = """\
service: billing
title: Billing
owner: payments-team
description: Invoices of shop orders.
database: orion_billing
tables:
  - name: invoices
    model: Invoice
    description: One invoice per order.
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - name: order_id
        type: uuid
        unique: true
        description: The order this invoice bills.
        references:
          column: shop.orders.order_id
          sync: api
          endpoint: GET /api/v1/orders/{order_id}
      - {name: amount, type: "numeric(10,2)", description: Total in euros.}
      - {name: created_at, type: timestamptz, default: now()}
      - {name: updated_at, type: timestamptz, updated_at: true}
events:
  publishes:
    - {name: billing.invoice_created, payload: [invoice_id, order_id]}
  consumes: [shop.order_placed]
"""

# (rule, file stem, path of the offending YAML node): each must be reported inside that node.
EXPECTED = [
    ("S601", "shop", ("owner",)),
    ("R401", "shop", ("tables", 0, "columns", 2)),
    ("R406", "shop", ("tables", 0, "columns", 3)),
    ("I303", "shop", ("tables", 0, "indexes", 2)),
    ("I305", "shop", ("tables", 0, "indexes", 3)),
    ("M502", "shop", ("migrations", 0)),
    ("R402", "billing", ("tables", 0, "columns", 1)),
    ("R404", "billing", ("events", "consumes")),
]
FORMATS = ("text", "json", "github", "sarif")


@pytest.fixture
def violations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A registry with the EXPECTED violations, checked from its parent (relative paths)."""
    services = tmp_path / "reg" / "services"
    services.mkdir(parents=True)
    (services / "shop.yaml").write_text(SHOP, encoding="utf-8")
    (services / "billing.yaml").write_text(BILLING, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return Path("reg")


def node_lines(text: str, path: tuple[str | int, ...]) -> range:
    """The lines (1-based) a YAML node spans; for a mapping key, its key and value."""
    node: Node = yaml.compose(text)
    first = None
    for part in path:
        if isinstance(node, MappingNode):
            key, node = next((k, v) for k, v in node.value if k.value == part)
            first = key.start_mark.line
        else:
            assert isinstance(node, SequenceNode)
            node = node.value[part]
            first = None
    return range((node.start_mark.line if first is None else first) + 1, last_line(node) + 2)


def last_line(node: Node) -> int:
    """The 0-based line of a node's last character (a block node's end mark is the next token)."""
    if isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return last_line(last[1] if isinstance(last, tuple) else last)
    end = node.end_mark
    return end.line if end.column > 0 else end.line - 1


def parse_report(fmt: str, out: str) -> list[tuple[str, str, int, int]]:
    """(rule, file, line, column) of each finding in a report of format `fmt`."""
    if fmt == "text":
        pattern = re.compile(r"^(\S+):(\d+):(\d+): ([A-Z]\d{3}) .+ \[[^\]]+\]( \(warning\))?$")
        *lines, summary = out.splitlines()
        assert re.fullmatch(r"Found \d+ errors? and \d+ warnings?\.", summary), summary
        found = [pattern.match(line) for line in lines]
        assert all(found), lines
        return [(m[4], m[1], int(m[2]), int(m[3])) for m in found]
    if fmt == "json":
        data = json.loads(out)
        assert set(data) == {"findings", "summary"}
        assert data["summary"]["total"] == len(data["findings"])
        return [(f["rule"], f["file"], f["line"], f["column"]) for f in data["findings"]]
    if fmt == "github":
        pattern = re.compile(
            r"^::(error|warning) file=([^,]+),line=(\d+),col=(\d+),title=([A-Z]\d{3})::.+$"
        )
        found = [pattern.match(line) for line in out.splitlines()]
        assert all(found), out
        return [(m[5], m[2], int(m[3]), int(m[4])) for m in found]
    results = json.loads(out)["runs"][0]["results"]
    return [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in results
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_reports_every_violation_inside_its_node(violations: Path, fmt: str):
    code, out, err = run_cli("check", "--registry", str(violations), "--format", fmt)
    assert (code, err) == (1, "")
    reported = parse_report(fmt, out)
    assert sorted(rule for rule, *_ in reported) == sorted(rule for rule, *_ in EXPECTED)
    texts = {"shop": SHOP, "billing": BILLING}
    for rule, stem, path in EXPECTED:
        file = f"reg/services/{stem}.yaml"
        (line, column) = next((ln, col) for r, f, ln, col in reported if (r, f) == (rule, file))
        assert line in node_lines(texts[stem], path), (rule, line, path)
        assert column >= 1


def test_all_formats_agree(violations: Path):
    reports = {
        fmt: sorted(
            parse_report(fmt, run_cli("check", "--registry", str(violations), "--format", fmt)[1])
        )
        for fmt in FORMATS
    }
    assert reports["text"] == reports["json"] == reports["github"] == reports["sarif"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic(violations: Path, fmt: str):
    first = run_cli("check", "--registry", str(violations), "--format", fmt)
    assert first == run_cli("check", "--registry", str(violations), "--format", fmt)


def test_sarif_is_a_valid_sarif_2_1_0_log(violations: Path):
    """A structural check of what GitHub code scanning reads (no SARIF schema is vendored)."""
    log = json.loads(run_cli("check", "--registry", str(violations), "--format", "sarif")[1])
    assert log["version"] == "2.1.0"
    assert "sarif" in log["$schema"] and "2.1.0" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "orion-registry" and driver["version"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert re.fullmatch(r"[A-Z]\d{3}", rule["id"])
        assert rule["helpUri"].startswith("https://")
        assert rule["shortDescription"]["text"]
    assert run["results"]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note", "none")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert not Path(physical["artifactLocation"]["uri"]).is_absolute()
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1


def test_warnings_alone_exit_0(violations: Path):
    code, out, _ = run_cli("check", "--registry", str(violations), "--select", "R406")
    assert code == 0
    assert "R406" in out and "Found 0 errors and 1 warning." in out


def test_exit_code_2_for_a_missing_registry_and_bad_usage(tmp_path: Path):
    code, out, err = run_cli("check", "--registry", str(tmp_path / "nope"))
    assert (code, out) == (2, "")
    assert "does not exist" in err and "Traceback" not in err
    code, _, err = run_cli("check", "--format", "yaml")
    assert code == 2 and "invalid choice" in err


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--select", "I303", {"I303"}),
        ("--select", "I", {"I303", "I305"}),
        ("--select", "r4,s", {"R401", "R402", "R404", "R406", "S601"}),
        ("--ignore", "R", {"S601", "I303", "I305", "M502"}),
        ("--ignore", "I303,M5,S601", {"R401", "R402", "R404", "R406", "I305"}),
    ],
)
def test_select_and_ignore_by_code_and_prefix(violations: Path, option, value, expected):
    _, out, _ = run_cli("check", "--registry", str(violations), "--format", "json", option, value)
    assert {f["rule"] for f in json.loads(out)["findings"]} == expected


def catalogue_codes() -> set[str]:
    text = (SHARED / "rules.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| ([A-Z]\d{3}) \|", text, re.MULTILINE))


def test_rules_lists_every_code_of_the_catalogue():
    code, out, _ = run_cli("rules")
    listed = {line.split()[0] for line in out.splitlines() if line and not line.startswith("#")}
    assert "# Drift" in out and "# Naming" in out
    assert code == 0
    assert len(catalogue_codes()) >= 30
    assert catalogue_codes() - listed == set()


def test_rule_prints_its_documentation():
    code, out, _ = run_cli("rule", "n101")
    assert code == 0
    assert out.startswith("N101 ")
    for section in ("## What it checks", "## Why", "## Bad", "## Good", "```yaml"):
        assert section in out


def test_unknown_rule_exits_2():
    code, out, err = run_cli("rule", "X999")
    assert (code, out) == (2, "")
    assert "unknown rule 'X999'" in err


@pytest.mark.parametrize("kind", ["service", "settings"])
def test_schema_prints_json_schema(kind: str):
    code, out, _ = run_cli("schema", kind)
    schema = json.loads(out)
    assert code == 0
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["additionalProperties"] is False
    assert ("service" in schema["properties"]) == (kind == "service")


def test_python_dash_m_runs_the_cli():
    done = run_module("check", "--registry", str(BUNDLED_REGISTRY), cwd=ROOT)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    assert "All checks passed" in done.stdout


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "orion-registry"
    assert script.is_file(), f"{script} missing: install the package (pip install -e .)"
    done = subprocess.run(
        [str(script), "rule", "S601"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.startswith("S601 "), done.stderr


def test_help_lists_the_subcommands():
    code, out, _ = run_cli("--help")
    assert code == 0
    for command in ("check", "rules", "rule", "schema"):
        assert re.search(rf"^\s+{command}\s", out, re.MULTILINE), command


def test_node_lines_helper():
    """The helper the location test relies on: key-to-value spans, sequence items."""
    text = textwrap.dedent(
        """\
        a: 1
        b:
          - x: 1
            y: 2
          - {x: 3}
        """
    )
    assert node_lines(text, ("a",)) == range(1, 2)
    assert node_lines(text, ("b", 0)) == range(3, 5)
    assert node_lines(text, ("b", 1)) == range(5, 6)


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_a_selector_matching_no_rule_is_a_usage_error(option: str):
    code, out, err = run_cli("check", "--registry", str(BUNDLED_REGISTRY), option, "N1,XYZ")
    assert code == 2
    assert "'XYZ' matches no rule code" in err and not out


def test_default_registry_is_found_from_a_subfolder(tmp_path: Path, monkeypatch) -> None:
    """Like ruff finding its config: `check` in a subfolder uses the registry above it."""
    repo = tmp_path / "repo"
    shutil.copytree(BUNDLED_REGISTRY, repo / "registry")
    (repo / ".git").mkdir()
    (repo / "docs" / "deep").mkdir(parents=True)
    monkeypatch.chdir(repo / "docs" / "deep")
    code, out, _ = run_cli("check", "--format", "json", "--select", "L")
    assert code == 0 and '"total": 0' in out, out
    monkeypatch.chdir(tmp_path)  # above the repository: nothing to find
    code, _, err = run_cli("check")
    assert code == 2 and "'registry' does not exist" in err
