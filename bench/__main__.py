"""`python -m bench [NAME ...] [--db sqlite|postgresql] [--rebuild] [--explain]`

Runs every registered benchmark (or those whose name contains one of NAME) on SQLite and, when
KEHU_BENCH_DATABASE_URL is set, on PostgreSQL — each database in its own process — then prints a table
and writes var/bench/latest.json. Exits non-zero on errors only; a missed goal is reported, not fatal.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import targets

RESULT_KEYS = [
    *("name", "db", "scale", "rows", "ms_median", "ms_goal", "ms_met", "queries"),
    *("baseline", "baseline_ms_median", "ratio", "ratio_goal", "ratio_met", "samples"),
]
THROUGHPUT_KEYS = ["requests_per_s", "requests_per_s_goal", "p95_ms", "requests", "seconds", "errors"]


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("names", nargs="*", help="run only benchmarks whose name contains one of these")
    parser.add_argument("--db", choices=[targets.SQLITE, targets.POSTGRESQL], help="run on this database only")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data set even if it is cached")
    parser.add_argument("--explain", action="store_true", help="print the query plans of the benchmarked queries")
    parser.add_argument("--worker", choices=[targets.SQLITE, targets.POSTGRESQL], help=argparse.SUPPRESS)
    parser.add_argument("--results", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _run_worker(target: str, args) -> tuple[int, list[dict]]:
    with tempfile.TemporaryDirectory(prefix="kehu-bench-") as tmp:
        results = Path(tmp) / "results.json"
        command = [sys.executable, "-m", "bench", "--worker", target, "--results", str(results), *args.names]
        command += ["--rebuild"] * args.rebuild + ["--explain"] * args.explain
        print(f"{target}: scale {targets.scale_label(targets.scale())}", flush=True)
        status = subprocess.call(command, env={**os.environ, targets.TARGET_VARIABLE: target})
        return status, json.loads(results.read_text()) if results.exists() else []


def _table(results: list[dict]) -> list[str]:
    header = ["benchmark", "db", "rows", "n", "q", "ms (median)", "ms goal", "baseline ms", "ratio", "goal", ""]
    rows = []
    for r in results:
        goal, ms_goal = r["ratio_goal"], r.get("ms_goal")
        missed = [what for what, met in (("ratio", r.get("ratio_met")), ("ms", r.get("ms_met"))) if met is False]
        verdict = "" if goal is None and ms_goal is None else ("MISSED " + "+".join(missed) if missed else "ok")
        rows.append(
            [
                r["name"],
                r["db"],
                f"{r['rows']:,}",
                str(r.get("samples", "")),
                "" if r.get("queries") is None else str(r["queries"]),
                f"{r['ms_median']:.3f}",
                "-" if ms_goal is None else f"< {ms_goal:g}",
                "-" if r["baseline_ms_median"] is None else f"{r['baseline_ms_median']:.3f}",
                "-" if r["ratio"] is None else f"{r['ratio']:.2f}",
                "-" if goal is None else f"≤ {goal:g}",
                verdict,
            ]
        )
    widths = [max(len(str(line[i])) for line in [header, *rows]) for i in range(len(header))]
    right = {2, 3, 4, 5, 6, 7, 8}

    def line(cells):
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def main(argv=None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    try:
        if args.worker:
            from bench import worker

            return worker.main(args.worker, args.results, args.names, args.rebuild, args.explain)
        targets.scale()  # a bad BENCH_SCALE stops the run here, with one line
        selected = [args.db] if args.db else targets.targets()
        if targets.POSTGRESQL in selected and not targets.server_url():
            raise targets.BenchConfigError(f"--db postgresql needs {targets.SERVER_URL_VARIABLE}")
    except targets.BenchConfigError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    failures, results = [], []
    for target in selected:
        status, found = _run_worker(target, args)
        results += found
        if status:
            failures.append(target)

    print()
    for text in _table(results):
        print(text)
    print()
    for baseline in dict.fromkeys(f"{r['name']}: baseline = {r['baseline']}" for r in results):
        print(baseline)
    for r in results:
        for note in r.get("notes", []):
            print(f"{r['name']} [{r['db']}]: {note}")
    for db, seconds in {r["db"]: r.get("build_seconds") for r in results}.items():
        if seconds is not None:
            print(f"{db}: data set generated in {seconds:.1f}s")
    for r in results:
        if r.get("ratio_met") is False:
            print(f"GOAL MISSED: {r['name']} on {r['db']}: ratio {r['ratio']:.2f} > {r['ratio_goal']:g}")
        if r.get("ms_met") is False and "p95_ms" in r:
            print(f"GOAL MISSED: {r['name']} on {r['db']}: {r['requests_per_s']} req/s, p95 {r['p95_ms']} ms")
        elif r.get("ms_met") is False:
            print(f"GOAL MISSED: {r['name']} on {r['db']}: {r['ms_median']:.1f} ms ≥ {r['ms_goal']:g} ms")

    out = targets.bench_dir() / "latest.json"
    entries = [{key: r[key] for key in [*RESULT_KEYS, *THROUGHPUT_KEYS] if key in r} for r in results]
    out.write_text(json.dumps(entries, indent=2) + "\n")
    print(f"\n{len(results)} results in {out} ({time.perf_counter() - started:.0f}s)", flush=True)
    if failures:
        print(f"bench: errors on {', '.join(failures)} (see above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
