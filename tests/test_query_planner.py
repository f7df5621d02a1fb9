"""I306 agrees with PostgreSQL's planner on whether an index serves a declared query.

A seeded generator writes a registry of random tables (primary keys, unique columns,
btree / hash / brin / partial indexes) and random queries, many near misses of an
index's columns. The registry's own SQL export creates them in a throwaway PostgreSQL
(empty tables: planning needs no rows), and each query is run through
`EXPLAIN (FORMAT JSON)` with sequential scans, bitmap scans and sorts switched off, once
per access path of its table with the other paths dropped inside a rolled-back
transaction: the planner then answers "can this path serve it", not "which path is
cheapest". A path *serves* a query when the plan is an index scan on it whose index
conditions fix a leading run of its columns (equalities, then at most one range)
covering every `where` and `range` column, with no Sort node.

Two comparisons, both exact: `serves()` against the planner for every (query, path)
pair, and I306 (run by `check`) against "some path serves it" for every query.

The generated queries keep to the readings documented on I306's page: `=` for `where`,
`order_by` disjoint from `where`, a query with a range and an order orders by the range
column first, and all `order_by` columns go the same direction (ascending or
descending, at random: a btree is read backwards for DESC). Set ORION_PLANNER_SEED to
try another seed.
"""

from __future__ import annotations

import os
import pathlib
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import yaml

from orion_registry.engine import check_registry
from orion_registry.loader import load_registry
from orion_registry.models import Query as QueryModel
from orion_registry.rules.serving import serves
from orion_registry.sql.ddl import service_ddl

SEED = int(os.environ.get("ORION_PLANNER_SEED", "20261207"))
TABLES = 420
QUERIES_PER_TABLE = 3
COLUMNS = [f"c{i}" for i in range(6)]
I306_MESSAGE = re.compile(r"^query '(\w+)' of '(\w+)'")
INDEX_COND = re.compile(r"\((\w+) (=|<|>|<=|>=) ")
SETTINGS = "SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off;"


@dataclass
class Query:
    name: str
    where: list[str]
    range: str | None = None
    order_by: list[str] = field(default_factory=list)
    descending: bool = False

    def yaml(self) -> dict:
        data: dict = {"name": self.name, "where": self.where, "order_by": self.order_by}
        if self.range:
            data["range"] = self.range
        return data

    def sql(self, table: str) -> str:
        conds = [f"{c} = {i + 1}" for i, c in enumerate(self.where)]
        conds += [f"{self.range} > 10"] if self.range else []
        sql = f"SELECT * FROM {table}"
        sql += f" WHERE {' AND '.join(conds)}" if conds else ""
        way = " DESC" if self.descending else ""
        return sql + (
            f" ORDER BY {', '.join(c + way for c in self.order_by)}" if self.order_by else ""
        )


def split_query(rng: random.Random, name: str, columns: list[str]) -> Query:
    """A query over `columns` in order: some equalities (shuffled), maybe a range, an order."""
    n_eq = rng.randint(0, len(columns))
    where, rest = columns[:n_eq], columns[n_eq:]
    rng.shuffle(where)
    range_col = rest[0] if rest and rng.random() < 0.4 else None
    order = rest if rng.random() < 0.7 else []
    if range_col and order and order[0] != range_col:
        order = []
    if range_col and not order:
        order = [range_col] if rng.random() < 0.3 else []
    return Query(name, where, range_col, order, rng.random() < 0.5)


def near_miss(rng: random.Random, query: Query) -> Query:
    """The query changed a little: a column added, dropped or swapped."""
    used = set(query.where) | set(query.order_by) | ({query.range} if query.range else set())
    free = [c for c in COLUMNS if c not in used]
    where, order = list(query.where), list(query.order_by)
    move = rng.choice(["add_where", "drop_where", "swap_order", "add_order", "drop_range"])
    if move == "add_where" and free:
        where.append(rng.choice(free))
    elif move == "drop_where" and where:
        where.pop(rng.randrange(len(where)))
    elif move == "swap_order" and len(order) >= 2 and not query.range:
        order[0], order[1] = order[1], order[0]
    elif move == "add_order" and free and not query.range:
        order.append(rng.choice(free))
    elif move == "drop_range" and query.range:
        return Query(query.name, where, None, order[1:], query.descending)
    return Query(query.name, where, query.range, order, query.descending)


def table_spec(rng: random.Random, name: str) -> tuple[dict, list[Query]]:
    """One random table (as registry YAML data) and its queries."""
    columns = [
        {"name": c, "type": "integer", "nullable": True, "unique": rng.random() < 0.08}
        for c in COLUMNS
    ]
    if rng.random() < 0.5:
        for c in rng.sample(columns, rng.choice([1, 1, 2])):
            c.update(primary_key=True, nullable=False, unique=False)
    indexes = []
    for i in range(rng.choice([0, 1, 1, 2, 2, 3])):
        cols = rng.sample(COLUMNS, rng.randint(1, 4))
        kind = rng.choices(["btree", "unique", "hash", "brin", "partial"], [70, 10, 8, 4, 8])[0]
        if kind in ("hash", "brin"):
            cols = cols[:1]
        index = {"name": f"ix_{name}_{i}", "columns": cols}
        if kind == "unique":
            index["unique"] = True
        elif kind in ("hash", "brin"):
            index["type"] = kind
        elif kind == "partial":
            index["where"] = f"{rng.choice(COLUMNS)} IS NULL"
        indexes.append(index)
    paths = [ix["columns"] for ix in indexes]
    paths += [[c["name"] for c in columns if c.get("primary_key")]]
    paths += [[c["name"]] for c in columns if c["unique"]]
    queries = []
    for q in range(QUERIES_PER_TABLE):
        basis = rng.choice([p for p in paths if p] or [rng.sample(COLUMNS, 2)])
        if rng.random() < 0.3:  # a random query over any columns
            basis = rng.sample(COLUMNS, rng.randint(1, 4))
        query = split_query(rng, f"q{q}", list(basis[: rng.randint(1, len(basis))]))
        if rng.random() < 0.4:
            query = near_miss(rng, query)
        if query.where or query.range or query.order_by:
            queries.append(query)
    table = {"name": name, "columns": columns, "indexes": indexes}
    table["queries"] = [q.yaml() for q in queries]
    return table, queries


def generate(seed: int) -> tuple[dict, dict[tuple[str, str], Query]]:
    rng = random.Random(seed)
    tables, queries = [], {}
    for t in range(TABLES):
        name = f"t{t:03d}"
        table, table_queries = table_spec(rng, name)
        tables.append(table)
        queries.update({(name, q.name): q for q in table_queries})
    service = {
        "service": "planner",
        "database": "orion_planner",
        "owner": "test",
        "description": "Random tables for the planner agreement test.",
        "tables": tables,
    }
    return service, queries


@dataclass(frozen=True)
class Path:
    """One way the table can be searched, as the DDL creates it."""

    name: str
    columns: tuple[str, ...]
    drop: str  # the SQL that removes it
    method: str = "btree"
    partial: bool = False

    def rule_serves(self, query: Query) -> bool:
        return not self.partial and serves(self.columns, query_model(query), self.method)


def access_paths(table: dict) -> list[Path]:
    """The table's primary key, unique columns and indexes."""
    name = table["name"]
    paths = []
    keys = tuple(c["name"] for c in table["columns"] if c.get("primary_key"))
    if keys:
        paths.append(Path(f"{name}_pkey", keys, f"ALTER TABLE {name} DROP CONSTRAINT {name}_pkey"))
    for c in table["columns"]:
        if c["unique"]:
            key = f"{name}_{c['name']}_key"
            paths.append(Path(key, (c["name"],), f"ALTER TABLE {name} DROP CONSTRAINT {key}"))
    for ix in table["indexes"]:
        drop = f"DROP INDEX {ix['name']}"
        method = ix.get("type", "btree")
        paths.append(Path(ix["name"], tuple(ix["columns"]), drop, method, "where" in ix))
    return paths


def query_model(query: Query) -> QueryModel:
    return QueryModel(query.name, None, query.where, query.order_by, query.range)


def plan_nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def planner_serves(plan: dict, query: Query, path: Path) -> bool:
    """One index scan on `path` whose conditions fix a leading run of its columns
    (equalities, then at most one range) covering the query's columns; no Sort node."""
    nodes = list(plan_nodes(plan))
    if any("Sort" in node["Node Type"] for node in nodes):
        return False
    scans = [n for n in nodes if n["Node Type"] in ("Index Scan", "Index Only Scan")]
    if len(scans) != 1 or scans[0]["Index Name"] != path.name:
        return False
    fixed = dict(INDEX_COND.findall(scans[0].get("Index Cond", "")))
    wanted = set(query.where) | ({query.range} if query.range else set())
    ops = [fixed.get(c) for c in path.columns[: len(fixed)]]  # a leading run: no gap
    return set(fixed) == wanted and None not in ops and all(op == "=" for op in ops[:-1])


def explain(conn, sql: str) -> dict:
    return conn.execute(f"EXPLAIN (FORMAT JSON) {sql}").fetchone()[0][0]["Plan"]


@pytest.mark.system
def test_i306_agrees_with_the_planner(pg_database: str, tmp_path: pathlib.Path) -> None:
    """Each (query, access path) pair: `serves` against the planner with only that path;
    each query: I306's finding against the planner with any of the table's paths."""
    import psycopg

    service, queries = generate(SEED)
    (tmp_path / "services").mkdir()
    text = yaml.safe_dump(service, sort_keys=False)
    (tmp_path / "services" / "planner.yaml").write_text(text, encoding="utf-8")
    registry = load_registry(tmp_path)
    findings = check_registry(registry, select=["I305", "I306"])
    assert not [f for f in findings if f.rule.startswith("L") or f.rule == "I305"], findings
    unserved = {I306_MESSAGE.match(f.message).groups()[::-1] for f in findings}

    disagreements: list[str] = []
    planner_served: set[tuple[str, str]] = set()
    pairs = 0
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(service_ddl(registry.services["planner"], with_comments=False))
        conn.execute(SETTINGS)
        for table in service["tables"]:
            mine = [(key, q) for key, q in queries.items() if key[0] == table["name"]]
            paths = access_paths(table)
            for path in paths:  # the planner sees this path alone
                with conn.transaction(force_rollback=True):
                    for other in paths:
                        if other is not path:
                            conn.execute(other.drop)
                    for key, query in mine:
                        plan = explain(conn, query.sql(table["name"]))
                        planner = planner_serves(plan, query, path)
                        pairs += 1
                        if planner:
                            planner_served.add(key)
                        if planner != path.rule_serves(query):
                            disagreements.append(f"{path}: {query.sql(key[0])}: {plan}")
    for key, query in queries.items():
        if (key in planner_served) == (key in unserved):
            disagreements.append(f"I306 on {key}: {query.sql(key[0])}")
    print(f"I306 vs planner: {len(queries)} queries, {pairs} (query, path) pairs")
    assert len(queries) >= 1000 and pairs >= 1000, (len(queries), pairs)
    share = len(planner_served) / len(queries)
    assert 0.2 < share < 0.8, share  # both served and unserved queries are tested
    assert not disagreements, f"{len(disagreements)} disagreements:\n" + "\n".join(
        disagreements[:10]
    )
