"""Query plans in tests: what SQLite or PostgreSQL will do for a queryset, in one vendor-neutral shape.

Every list a module declares can prove its plan the same way:

    plan = explain(queryset[:20])
    assert plan.walks("customer_activity_idx"), plan

Two ways to ask PostgreSQL, and a test's docstring says which one it uses:

- `explain(queryset)` is the real plan. It proves a good plan only with statistics on enough rows: load the
  rows, call `analyze()`, then explain (on a tiny table a sequential scan and a sort is the right plan, and
  `enable_seqscan = off` proves nothing about what production will do).
- `explain(queryset, shape_only=True)` turns sequential scans and sorts off for that one EXPLAIN: it proves only
  that an index *matches* the query's shape (its columns and directions can deliver the rows in order), not
  that the planner will choose it.

SQLite's `EXPLAIN QUERY PLAN` reads statistics too (`ANALYZE` writes sqlite_stat1), so `analyze()` serves both.
"""

import json
import re
from dataclasses import dataclass, field

from django.db import connection

SQLITE_SORT = re.compile(r"USE TEMP B-TREE FOR (.*)ORDER BY")


@dataclass(repr=False)
class Plan:
    vendor: str
    sql: str
    steps: list[str]  # one line per step, indented by depth: SQLite's details or PostgreSQL's nodes
    nodes: list[dict] = field(default_factory=list)  # PostgreSQL: every plan node (JSON), depth first

    def __str__(self) -> str:
        return "\n".join(self.steps) + f"\n-- for: {self.sql}"

    __repr__ = __str__

    @property
    def indexes(self) -> set[str]:
        """Names of the indexes the plan reads (SQLite also reports "INTEGER PRIMARY KEY" lookups as "pk")."""
        if self.vendor == "postgresql":
            return {node["Index Name"] for node in self.nodes if "Index Name" in node}
        found = set()
        for step in self.steps:
            if "USING INTEGER PRIMARY KEY" in step or "USING PRIMARY KEY" in step:
                found.add("pk")
            match = re.search(r"USING (?:COVERING )?INDEX (\w+)", step)
            if match:
                found.add(match.group(1))
        return found

    @property
    def sorts(self) -> list[str]:
        """The steps that sort rows for an ORDER BY (a temp B-tree on SQLite, Sort / Incremental Sort nodes on
        PostgreSQL). Empty when the order comes from walking an index."""
        if self.vendor == "postgresql":
            return [
                f"{n['Node Type']} {n.get('Sort Key', '')}"
                for n in self.nodes
                if n["Node Type"] in {"Sort", "Incremental Sort"}
            ]
        return [step.strip() for step in self.steps if SQLITE_SORT.search(step)]

    def full_scans(self, table: str) -> list[str]:
        """Steps reading every row of `table` in table order (not through an index), under any alias. SQLite names
        a subquery's table by its alias only, and Django gives every subquery the same ones (U0…): there a scan
        of an alias `table` has anywhere in the query counts, whichever table it was (too many, never too few)."""
        if self.vendor == "postgresql":
            scan = re.compile(rf"\s*Seq Scan on {table}(?!\w)")
            return [s.strip() for s in self.steps if scan.match(s)]
        names = {table} | set(re.findall(rf'"{table}" (\w+)', self.sql))  # Django's subquery aliases: U0, T3…
        return [s.strip() for s in self.steps if re.fullmatch(r"\s*SCAN (\w+)", s) and s.split()[1] in names]

    def walks(self, index: str) -> bool:
        """The plan reads `index` and sorts nothing: the rows come in the index's order."""
        return index in self.indexes and not self.sorts


def assert_walks(queryset, index: str, *, shape_only: bool = False) -> Plan:
    """Fail, showing the whole plan, unless `queryset`'s plan walks `index` with no sort step."""
    plan = explain(queryset, shape_only=shape_only)
    if not plan.walks(index):
        raise AssertionError(f"the plan does not walk {index} without sorting:\n{plan}")
    return plan


def _sqlite(sql: str, params) -> Plan:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        rows = cursor.fetchall()
    depth = {0: -1}
    steps = []
    for node_id, parent, _unused, detail in rows:
        depth[node_id] = depth.get(parent, -1) + 1
        steps.append("  " * depth[node_id] + detail)
    return Plan(vendor="sqlite", sql=sql, steps=steps)


def _describe(node: dict) -> str:
    text = node["Node Type"]
    if node.get("Scan Direction") == "Backward":
        text += " Backward"
    if "Index Name" in node:
        text += f" using {node['Index Name']}"
    if "Relation Name" in node:
        text += f" on {node['Relation Name']}"
    for key in ("Index Cond", "Filter", "Sort Key", "Presorted Key"):
        if key in node:
            text += f" [{key}: {node[key]}]"
    return text


def _postgresql(sql: str, params, shape_only: bool) -> Plan:
    with connection.cursor() as cursor:
        if shape_only:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_sort = off")
        try:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            document = cursor.fetchone()[0]
        finally:
            if shape_only:
                cursor.execute("RESET enable_seqscan")
                cursor.execute("RESET enable_sort")
    if isinstance(document, str):
        document = json.loads(document)
    nodes, steps = [], []

    def visit(node, depth):
        nodes.append(node)
        steps.append("  " * depth + _describe(node))
        for child in node.get("Plans", []):
            visit(child, depth + 1)

    visit(document[0]["Plan"], 0)
    return Plan(vendor="postgresql", sql=sql, steps=steps, nodes=nodes)


def explain(queryset, *, shape_only: bool = False) -> Plan:
    """The plan of `queryset` (slice it first to explain a page: `queryset[:20]`).

    `shape_only` (PostgreSQL): sequential scans and sorts off for this EXPLAIN, to prove that an index matches
    the query's shape; ignored on SQLite, whose plan is always the real one."""
    sql, params = queryset.query.sql_with_params()
    if connection.vendor == "postgresql":
        return _postgresql(sql, params, shape_only)
    return _sqlite(sql, params)


def analyze() -> None:
    """Statistics as a real deployment has them (DESIGN.md "Benchmarks"): run after loading the rows."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
