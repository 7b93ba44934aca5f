"""Mutation testing for one module: change one operator, constant, condition or statement at a time and run
the tests that execute that line; a mutant no test notices ("survived") is a rule no test pins down.

    python -m tools.mutation kehu/approvals/conditions.py [--tests tests/approvals/test_branches.py ...]
                             [--sample N] [--timeout SECONDS] [--budget MINUTES] [--mutant KEY]

How it works (and why it is not mutmut): one pytest session is started with the given tests, so Django, the
test database and the migrations are set up once. A baseline run records, per test, which lines of the module it
executes (and must pass). Each mutant is then compiled from the module's AST with one change, and the code object
of the one function it touches is swapped into the live function (`function.__code__`), so every import of that
function sees the mutant; only the tests that execute the mutated line run, fastest first, stopping at the first
failure. The original code is put back before the next mutant, and the baseline is run again at the end to prove
the session was not disturbed. mutmut 3 copies the tree into `mutants/` and routes every function through a
trampoline, and forks per mutant with the parent's database connection; this runner needs neither.

Only code inside functions and methods is mutated (module-level tables are data; change them in a test).
Docstrings, decorators, default values, annotations, f-string text and the message passed to gettext are not
mutated (message wording is pinned by the tests that assert it and by the catalogue check). A line ending in
`# pragma: no mutate` is skipped. Mutants known to be equivalent (no behaviour can tell them from the original)
are listed with the reason in `tools/mutation_equivalents.json` by key (`line:column:change`); the score is
killed ÷ (mutants − equivalent ones).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS_FILE = ROOT / "tools" / "mutation_equivalents.json"
REPORT_DIR = ROOT / "var" / "mutation"

# The tests that cover a module, when --tests is not given (otherwise the test files that import it are used).
COVERING_TESTS = {
    "kehu/approvals/conditions.py": ["tests/approvals/test_conditions.py", "tests/approvals/test_branches.py"],
    "kehu/approvals/graph.py": [
        "tests/approvals/test_flow_check.py",
        "tests/approvals/test_branches.py",
        "tests/approvals/test_flow_versions.py",
    ],
    "kehu/customers/pool.py": [
        "tests/customers/test_pool_claim_and_release.py",
        "tests/customers/test_pool_claim_race.py",
        "tests/customers/test_pool_auto_return.py",
        "tests/customers/test_pool_concurrent_claims.py",
    ],
    "kehu/customers/pool_rules.py": [
        "tests/customers/test_pool_settings.py",
        "tests/customers/test_pool_claim_and_release.py",
        "tests/customers/test_pool_auto_return.py",
        "tests/customers/test_pool_pages.py",
    ],
    "kehu/customers/pool_queries.py": [
        "tests/customers/test_pool_auto_return.py",
        "tests/customers/test_pool_claim_and_release.py",
        "tests/customers/test_pool_visibility.py",
        "tests/customers/test_pool_pages.py",
    ],
    "kehu/core/locking.py": ["tests/core/test_optimistic_locking.py"],
    "kehu/core/numbering.py": ["tests/core/test_numbering.py"],
    "kehu/customers/text.py": ["tests/customers/test_text.py", "tests/customers/test_import_write.py"],
    "kehu/org/scope.py": [
        "tests/org/test_data_scope.py",
        "tests/org/test_scope_defence.py",
        "tests/org/test_role_permissions.py",
    ],
}
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}

COMPARE_SWAPS = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BINOP_SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.Div,
    ast.Pow: ast.Mult,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
}
SYMBOLS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.And: "and",
    ast.Or: "or",
}


@dataclass
class Mutant:
    key: str  # line:column:change, stable while the line does not move
    line: int
    end_line: int
    qualname: str  # the top-level function or method whose code is swapped, or "=NAME" for a module global
    change: str
    source: str = ""
    status: str = "not run"  # killed / survived / timeout / no tests / equivalent / error / not run
    killed_by: str = ""
    seconds: float = 0.0
    cover_lines: list[int] = field(default_factory=list, repr=False)
    node_index: int = field(default=-1, repr=False)
    variant: int = field(default=0, repr=False)


# --- generating mutants -------------------------------------------------------------------------


def _skipped_nodes(tree: ast.Module) -> set[int]:
    """ids of nodes never mutated: docstrings, decorators, defaults, annotations, gettext messages, f-strings."""
    skipped: set[int] = set()

    def skip(node):
        for child in ast.walk(node):
            skipped.add(id(child))

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    skip(body[0])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                skip(decorator)
            skip(node.args)
            if node.returns:
                skip(node.returns)
        if isinstance(node, ast.AnnAssign):
            skip(node.annotation)
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.Constant):
                    skipped.add(id(part))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name in GETTEXT:
                for arg in node.args:
                    if isinstance(arg, ast.Constant):
                        skipped.add(id(arg))
    return skipped


def _functions(tree: ast.Module):
    """(qualname, function node) for every top-level function and every method of a top-level class."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.{item.name}", item


def _changes(node) -> list[str]:
    """The changes offered for one node, as text; `_apply` performs the one at the same index."""
    if isinstance(node, ast.Compare):
        return [
            f"{SYMBOLS[type(op)]} → {SYMBOLS[COMPARE_SWAPS[type(op)]]}" for op in node.ops if type(op) in COMPARE_SWAPS
        ]
    if isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in BINOP_SWAPS:
        return [f"{SYMBOLS[type(node.op)]} → {SYMBOLS[BINOP_SWAPS[type(node.op)]]}"]
    if isinstance(node, ast.BoolOp):
        return ["and → or" if isinstance(node.op, ast.And) else "or → and"]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        return ["drop `not`" if isinstance(node.op, ast.Not) else "drop unary minus"]
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            return [f"{value} → {not value}"]
        if isinstance(value, int | float):
            return [f"{value!r} → {value + 1!r}"]
        if isinstance(value, str):
            return [f"{value!r} → {'XX' + value + 'XX'!r}"]
        return []
    if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):
        return ["drop the statement"]
    if isinstance(node, ast.Raise):
        return ["drop the raise"]
    if isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            return ["return None"]
    if isinstance(node, ast.Break):
        return ["break → continue"]
    if isinstance(node, ast.Continue):
        return ["continue → break"]
    return []


def _replace_child(parent, old, new) -> None:
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, name, new)
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                if item is old:
                    value[i] = new
                    return
    raise LookupError("child not found")


def _apply(node, parent, variant: int) -> None:
    if isinstance(node, ast.Compare):
        positions = [i for i, op in enumerate(node.ops) if type(op) in COMPARE_SWAPS]
        i = positions[variant]
        node.ops[i] = COMPARE_SWAPS[type(node.ops[i])]()
    elif isinstance(node, ast.BinOp | ast.AugAssign):
        node.op = BINOP_SWAPS[type(node.op)]()
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, ast.UnaryOp):
        _replace_child(parent, node, node.operand)
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            node.value = not value
        elif isinstance(value, int | float):
            node.value = value + 1
        else:
            node.value = "XX" + value + "XX"
    elif isinstance(node, ast.Expr | ast.Raise):
        _replace_child(parent, node, ast.copy_location(ast.Pass(), node))
    elif isinstance(node, ast.Return):
        node.value = ast.copy_location(ast.Constant(None), node.value)
    elif isinstance(node, ast.Break):
        _replace_child(parent, node, ast.copy_location(ast.Continue(), node))
    elif isinstance(node, ast.Continue):
        _replace_child(parent, node, ast.copy_location(ast.Break(), node))


def _global_target(statement) -> str | None:
    """The name a module-level `NAME = value` binds (its value is re-evaluated for a mutant), else None."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        return statement.targets[0].id
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
        return statement.target.id
    return None


def _readers(tree: ast.Module) -> dict[str, set[int]]:
    """Global name → the lines of the functions that read it (the tests running those lines cover its value)."""
    readers: dict[str, set[int]] = {}
    for _qualname, function in _functions(tree):
        lines = set(range(function.lineno, function.end_lineno + 1))
        for child in ast.walk(function):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
                readers.setdefault(child.id, set()).update(lines)
    return readers


def _indexed(tree: ast.Module) -> list[tuple[ast.AST, ast.AST | None, str | None]]:
    """Every node with its parent and the qualname of the top-level function holding it, in a stable order."""
    owners: dict[int, str] = {}
    for qualname, function in _functions(tree):
        for child in ast.walk(function):
            owners[id(child)] = qualname
    for statement in tree.body:
        target = _global_target(statement)
        if target:
            for child in ast.walk(statement.value):
                owners[id(child)] = "=" + target
    result = []

    def visit(node, parent):
        result.append((node, parent, owners.get(id(node))))
        for child in ast.iter_child_nodes(node):
            visit(child, node)

    visit(tree, None)
    return result


_sources: dict[Path, str] = {}


def _source(path: Path) -> str:
    """The module's text as it was when the run started (an edit during a run must not shift the mutants)."""
    if path not in _sources:
        _sources[path] = path.read_text(encoding="utf-8")
    return _sources[path]


def generate(path: Path) -> list[Mutant]:
    source = _source(path)
    lines = source.splitlines()
    tree = ast.parse(source, filename=str(path))
    skipped = _skipped_nodes(tree)
    readers = _readers(tree)
    mutants = []
    for index, (node, _parent, owner) in enumerate(_indexed(tree)):
        if owner is None or id(node) in skipped or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if owner.startswith("=") and isinstance(node, ast.stmt):
            continue
        line = getattr(node, "lineno", 0)
        end_line = getattr(node, "end_lineno", line) or line
        if owner.startswith("="):
            cover = sorted(readers.get(owner[1:], set()))
        else:
            cover = list(range(line, end_line + 1))
        if line and lines[line - 1].rstrip().endswith("# pragma: no mutate"):
            continue
        for variant, change in enumerate(_changes(node)):
            mutants.append(
                Mutant(
                    key=f"{line}:{node.col_offset}:{change}" + (f"#{variant}" if variant else ""),
                    line=line,
                    end_line=end_line,
                    qualname=owner,
                    change=change,
                    source=lines[line - 1].strip(),
                    cover_lines=cover,
                    node_index=index,
                    variant=variant,
                )
            )
    return mutants


def mutated_code(path: Path, mutant: Mutant):
    """The code object of `mutant.qualname` with the one change applied (for a global: of its value)."""
    tree = ast.parse(_source(path), filename=str(path))
    node, parent, _owner = _indexed(tree)[mutant.node_index]
    _apply(node, parent, mutant.variant)
    ast.fix_missing_locations(tree)
    if mutant.qualname.startswith("="):
        statement = next(s for s in tree.body if _global_target(s) == mutant.qualname[1:])
        return compile(ast.Expression(body=statement.value), str(path), "eval")
    module_code = compile(tree, str(path), "exec")
    return _find_code(module_code, mutant.qualname)


def _find_code(code, qualname):
    for const in code.co_consts:
        if hasattr(const, "co_qualname"):
            if const.co_qualname == qualname:
                return const
            found = _find_code(const, qualname)
            if found is not None:
                return found
    return None


def live_functions(module, path: Path) -> dict[str, object]:
    """qualname → the function object whose `__code__` runs for it (decorators unwrapped)."""
    found: dict[str, object] = {}
    target = str(path.resolve())

    def consider(obj):
        seen = set()
        while obj is not None and id(obj) not in seen:
            seen.add(id(obj))
            if isinstance(obj, staticmethod | classmethod):
                obj = obj.__func__
                continue
            if isinstance(obj, property):
                for accessor in (obj.fget, obj.fset, obj.fdel):
                    consider(accessor)
                return
            code = getattr(obj, "__code__", None)
            if code is not None and str(Path(code.co_filename).resolve()) == target:
                found.setdefault(code.co_qualname, obj)
            obj = getattr(obj, "__wrapped__", None) or getattr(obj, "func", None)

    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__module__ == module.__name__:
            for member in list(vars(value).values()):
                consider(member)
        else:
            consider(value)
    return found


# --- running them ---------------------------------------------------------------------------------


class MutantTimeout(BaseException):
    """Raised by the alarm in the middle of a test that runs past the mutant's time bound."""


class Runner:
    """A pytest plugin: replaces the normal test loop by baseline + one run per mutant."""

    def __init__(self, path: Path, mutants: list[Mutant], timeout: float | None, budget: float | None):
        self.path = path
        self.mutants = mutants
        self.timeout = timeout
        self.budget = budget
        self.coverage: dict[str, set[int]] = {}
        self.durations: dict[str, float] = {}
        self.baseline_failures: list[str] = []
        self.final_failures: list[str] = []
        self.skipped_items: list[str] = []
        self.error = ""

    # pytest hooks
    def pytest_configure(self, config):
        try:
            from hypothesis import settings

            settings.register_profile("mutation", deadline=None, database=None, derandomize=True)
            settings.load_profile("mutation")
        except ImportError:  # pragma: no cover - hypothesis is a dev dependency
            pass

    def pytest_runtestloop(self, session):
        items = list(session.items)
        if not items:
            self.error = "no tests collected"
            return True
        self.session = session
        self.items = items
        module = self._module()
        if module is None:
            return True
        self.baseline_failures = self._baseline(items)
        if self.baseline_failures:
            self.error = "the tests fail without any mutant: " + ", ".join(self.baseline_failures[:5])
            self._teardown()
            return True
        # Every test runs many times in this one session: one that fails when run a second time (it changes its
        # own parameters, or leaves state behind) would "kill" every mutant it is chosen for.
        again = [item.nodeid for item in items if item.nodeid in self.coverage and not self._run_items([item])[0]]
        if again:
            self.error = "these tests fail when run a second time in one session: " + ", ".join(again[:5])
            self._teardown()
            return True
        functions = live_functions(module, self.path)
        started = time.monotonic()
        for mutant in self.mutants:
            if self.budget is not None and time.monotonic() - started > self.budget:
                break
            self._run_mutant(mutant, functions)
        self.final_failures = [item.nodeid for item in items if not self._run_items([item])[0]]
        self._teardown()
        return True

    def _module(self):
        import importlib

        relative = self.path.resolve().relative_to(ROOT).with_suffix("")
        name = ".".join(relative.parts)
        try:
            return importlib.import_module(name)
        except Exception as exc:  # a module that cannot be imported cannot be mutated
            self.error = f"cannot import {name}: {exc!r}"
            return None

    def _baseline(self, items) -> list[str]:
        target = str(self.path.resolve())
        failures = []
        for item in items:
            lines: set[int] = set()

            def local(frame, event, arg, lines=lines):
                if event == "line":
                    lines.add(frame.f_lineno)
                return local

            def tracer(frame, event, arg, lines=lines):
                if frame.f_code.co_filename == target:
                    lines.add(frame.f_lineno)
                    return local
                return None

            sys.settrace(tracer)
            threading.settrace(tracer)
            begin = time.monotonic()
            try:
                passed, skipped = self._run_items([item])
            finally:
                sys.settrace(None)
                threading.settrace(None)
            if skipped:
                self.skipped_items.append(item.nodeid)
                continue
            self.durations[item.nodeid] = time.monotonic() - begin
            self.coverage[item.nodeid] = lines
            if not passed:
                failures.append(item.nodeid)
        return failures

    def _run_items(self, items) -> tuple[bool, bool]:
        """Run `items` in order and stop at the first failure: (all passed, all skipped)."""
        from _pytest.runner import runtestprotocol

        for item in items:
            # Tear down to the session after each test (nextitem=None would drop the test database too).
            reports = runtestprotocol(item, log=False, nextitem=self.session)
            if any(report.failed for report in reports):
                self.last_failure = item.nodeid
                if os.environ.get("MUTATION_DEBUG"):
                    print(next(r for r in reports if r.failed).longreprtext[-3000:], file=sys.stderr)
                return False, False
            if any(report.skipped and report.when in ("setup", "call") for report in reports):
                return True, True
        return True, False

    def _teardown(self):
        self.session._setupstate.teardown_exact(None)

    def _run_mutant(self, mutant: Mutant, functions):
        if mutant.key in self.equivalent:
            mutant.status = "equivalent"
        module = self._module()
        code = mutated_code(self.path, mutant)
        if mutant.qualname.startswith("="):
            name = mutant.qualname[1:]
            original = vars(module)[name]
            value = eval(code, vars(module))  # noqa: S307 - the module's own literal, with one change

            def install():
                setattr(module, name, value)

            def restore():
                setattr(module, name, original)

        else:
            function = functions.get(mutant.qualname)
            if function is None or code is None or code.co_freevars != function.__code__.co_freevars:
                mutant.status = "error"
                mutant.killed_by = "the mutated code cannot replace the live function"
                return
            original_code = function.__code__

            def install():
                function.__code__ = code

            def restore():
                function.__code__ = original_code

        lines = set(mutant.cover_lines)
        tests = [item for item in self.items if self.coverage.get(item.nodeid, set()) & lines]
        if not tests:
            if mutant.status != "equivalent":
                mutant.status = "no tests"
            return
        tests.sort(key=lambda item: self.durations[item.nodeid])
        bound = self.timeout or (5 + 3 * sum(self.durations[item.nodeid] for item in tests))
        timed_out = False

        def alarm(signum, frame):
            nonlocal timed_out
            timed_out = True
            raise MutantTimeout()

        previous = signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, bound)
        begin = time.monotonic()
        install()
        try:
            passed, _skipped = self._run_items(tests)
        except MutantTimeout:
            passed, timed_out = False, True
            self.session._setupstate.teardown_exact(self.session)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            restore()
            self._clear_caches()
        mutant.seconds = round(time.monotonic() - begin, 2)
        if mutant.status == "equivalent":
            mutant.killed_by = "" if passed else self.last_failure
            return
        if timed_out:
            mutant.status = "timeout"
        elif passed:
            mutant.status = "survived"
        else:
            mutant.status = "killed"
            mutant.killed_by = self.last_failure

    def _clear_caches(self):
        module = self._module()
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()

    @property
    def equivalent(self) -> dict[str, str]:
        return load_equivalents().get(relative(self.path), {})


def relative(path: Path) -> str:
    return str(path.resolve().relative_to(ROOT))


def load_equivalents() -> dict[str, dict[str, str]]:
    if EQUIVALENTS_FILE.exists():
        return json.loads(EQUIVALENTS_FILE.read_text(encoding="utf-8"))
    return {}


def covering_tests(module: str) -> list[str]:
    """The tests for `module`: the table above, else every test file that imports it."""
    if module in COVERING_TESTS:
        return [t for t in COVERING_TESTS[module] if (ROOT / t).exists()]
    dotted = ".".join(Path(module).with_suffix("").parts)
    package, _, name = dotted.rpartition(".")
    pattern = re.compile(
        rf"(import {re.escape(dotted)}\b|from {re.escape(dotted)} import|from {re.escape(package)} import .*\b{name}\b)"
    )
    return sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "tests").rglob("test_*.py")
        if "e2e" not in p.parts and pattern.search(p.read_text(encoding="utf-8"))
    )


def score(mutants: list[Mutant]) -> dict:
    counts: dict[str, int] = {}
    for mutant in mutants:
        counts[mutant.status] = counts.get(mutant.status, 0) + 1
    run = [m for m in mutants if m.status not in ("not run", "error")]
    counted = [m for m in run if m.status != "equivalent"]
    killed = sum(1 for m in counted if m.status in ("killed", "timeout"))
    return {
        "counts": counts,
        "killed": killed,
        "non_equivalent": len(counted),
        "score": round(100 * killed / len(counted), 1) if counted else None,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("module", help="the module's file, e.g. kehu/approvals/conditions.py")
    parser.add_argument("--tests", nargs="*", help="test files or node ids (default: the tests that cover it)")
    parser.add_argument("--sample", type=int, help="run only N mutants, picked at random (seeded by --seed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, help="seconds per mutant (default: 5 + 3 × its tests' time)")
    parser.add_argument("--budget", type=float, help="stop starting new mutants after this many minutes")
    parser.add_argument("--mutant", action="append", help="run only the mutant with this key (repeatable)")
    parser.add_argument("--only", action="append", help="mutate only this function or method (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--report", help="write the JSON report here (default: var/mutation/<module>.json)")
    args = parser.parse_args(argv)

    path = (ROOT / args.module).resolve()
    if not path.is_file():
        parser.error(f"no such module: {args.module}")
    mutants = generate(path)
    if args.mutant:
        mutants = [m for m in mutants if m.key in args.mutant]
    if args.only:
        mutants = [m for m in mutants if m.qualname in args.only or m.qualname.split(".")[0] in args.only]
    if args.sample and args.sample < len(mutants):
        mutants = sorted(random.Random(args.seed).sample(mutants, args.sample), key=lambda m: m.node_index)
    if args.list:
        for mutant in mutants:
            print(f"{mutant.key:<48} {mutant.qualname:<28} {mutant.source}")
        return 0
    tests = args.tests or covering_tests(relative(path))
    if not tests:
        parser.error("no tests cover this module; name them with --tests")

    import pytest

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings_test")
    runner = Runner(path, mutants, args.timeout, args.budget * 60 if args.budget else None)
    print(f"mutation: {relative(path)}: {len(mutants)} mutants against {' '.join(tests)}", flush=True)
    began = time.monotonic()
    pytest.main([*tests, "-q", "-p", "no:cacheprovider", "-m", "not e2e", "-W", "ignore"], plugins=[runner])
    if runner.error:
        print(f"mutation: {runner.error}", file=sys.stderr)
        return 2
    result = score(mutants)
    shown = [m for m in mutants if m.status in ("survived", "no tests", "error")]
    print()
    for mutant in shown:
        print(f"  {mutant.status:<9} line {mutant.line:<4} {mutant.change:<40} {mutant.source[:70]}")
    print()
    print(
        f"mutation: {relative(path)}: {result['killed']} of {result['non_equivalent']} non-equivalent mutants "
        f"killed ({result['score']} %); {json.dumps(result['counts'], ensure_ascii=False)}; "
        f"{time.monotonic() - began:.0f} s"
    )
    if runner.final_failures:
        print(
            "mutation: WARNING the tests failed again without a mutant after the run "
            f"({', '.join(runner.final_failures[:3])}): some kills may be false; rerun them with --mutant.",
            file=sys.stderr,
        )
    report = Path(args.report) if args.report else REPORT_DIR / (relative(path).replace("/", "__") + ".json")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        json.dumps(
            {"module": relative(path), "tests": tests, **result, "mutants": [_public(m) for m in mutants]},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return 1 if runner.final_failures else 0


def _public(mutant: Mutant) -> dict:
    data = asdict(mutant)
    data.pop("node_index")
    data.pop("variant")
    return data


if __name__ == "__main__":
    sys.exit(main())
