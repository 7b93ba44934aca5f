"""One benchmark process: one database, set up with `bench.settings`; writes its results as JSON for the runner."""

import json
import os
import traceback

from bench import targets


def _explain(name: str, queryset) -> None:
    from django.db import connection

    options = {"analyze": True, "buffers": True} if connection.vendor == "postgresql" else {}
    if hasattr(queryset, "explain"):
        print(f"  EXPLAIN {name} [{connection.vendor}]\n  SQL: {queryset.query}")
        print("    " + queryset.explain(**options).replace("\n", "\n    "), flush=True)


def main(target: str, results_path: str, names: list[str], rebuild: bool, explain: bool) -> int:
    os.environ[targets.TARGET_VARIABLE] = target
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()

    from bench import dataset, registry

    data = dataset.prepare(rebuild=rebuild)
    failed = False
    results = []
    for bench in registry.discover():
        if names and not any(part in bench.name for part in names):
            continue
        try:
            case = bench.function(data)
            if explain and case.explain:
                _explain(bench.name, case.explain())
            timing = registry.measure(case)
            ms_goal = case.ms_goal if case.ms_goal is not None else bench.ms_goal
        except Exception:  # noqa: BLE001 - report, go on with the others, fail the run at the end
            print(f"  [{target}] {bench.name} FAILED:\n{traceback.format_exc()}", flush=True)
            failed = True
            continue
        results.append(
            {
                "name": bench.name,
                "db": data.db,
                "scale": data.scale,
                "rows": data.rows,
                "ms_median": round(timing.ms_median, 3),
                "baseline": bench.baseline,
                "baseline_ms_median": round(timing.baseline_ms_median, 3),
                "ratio": round(timing.ratio, 2),
                "ratio_goal": bench.goal,
                "ms_goal": ms_goal,
                "ms_met": None if ms_goal is None else timing.ms_median < ms_goal,
                "ratio_met": None if bench.goal is None else timing.ratio <= bench.goal,
                "queries": case.queries,
                "notes": case.notes,
                "samples": timing.samples,
                "build_seconds": data.build_seconds,
            }
        )
    from bench import throughput

    if not names or any(part in throughput.NAME for part in names):
        try:
            results += throughput.run(data)
        except Exception:  # noqa: BLE001 - as above
            print(f"  [{target}] {throughput.NAME} FAILED:\n{traceback.format_exc()}", flush=True)
            failed = True
    with open(results_path, "w", encoding="utf-8") as out:
        json.dump(results, out)
    return 1 if failed else 0
