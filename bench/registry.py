"""The benchmark registry and the timer.

A benchmark is a function registered with `@benchmark(name, goal=..., baseline=...)`. It receives the data
set (`bench.dataset.DataSet`) and returns a `Case`: the operation to time, its baseline, and an untimed
per-repetition setup (e.g. a fresh user object, so that every repetition pays what a real request pays).
The timer runs both in the same process, interleaved, and reports the medians and their ratio.
"""

import gc
import importlib
import pkgutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

WARMUP = 3
MIN_REPETITIONS = 25  # at least 20 (DESIGN.md "Benchmarks"); fast benchmarks get more, within TIME_BUDGET
MAX_REPETITIONS = 501
TIME_BUDGET = 2.0  # seconds of timed calls per benchmark, beyond the minimum


@dataclass
class Case:
    run: Callable[[Any], Any]  # the operation measured, given what `setup` returned
    baseline: Callable[[Any], Any]  # what it is compared with, given the same
    setup: Callable[[], Any] = lambda: None  # untimed, once before every single call of run / baseline
    explain: Callable[[], Any] | None = None  # the queryset whose plan `--explain` prints
    notes: list[str] = field(default_factory=list)  # printed under the table (e.g. the share of rows in scope)
    ms_goal: float | None = None  # an absolute limit on the median (e.g. a page's server time), beside the ratio
    queries: int | None = None  # a page entry: the queries one request runs


@dataclass(frozen=True)
class Benchmark:
    name: str  # <app>.<what>
    function: Callable[[Any], Case]
    baseline: str  # a short text describing the baseline
    goal: float | None  # the highest acceptable ratio; None = informational
    ms_goal: float | None = None  # the highest acceptable median in ms (issue 9: pages 30, search 50, floor 5)


_registry: dict[str, Benchmark] = {}


def benchmark(name: str, *, baseline: str, goal: float | None = None, ms_goal: float | None = None):
    """Register `function(data) -> Case` as the benchmark `name`. `ms_goal` is the limit on its median (a Case may
    set its own, which wins)."""

    def register(function):
        if name in _registry:
            raise ValueError(f"benchmark {name!r} is registered twice")
        _registry[name] = Benchmark(name=name, function=function, baseline=baseline, goal=goal, ms_goal=ms_goal)
        return function

    return register


def discover() -> list[Benchmark]:
    """Import every module of the `bench` package (which registers its benchmarks); all of them, as registered."""
    import bench

    for module in pkgutil.iter_modules(bench.__path__):
        if module.name != "__main__":
            importlib.import_module(f"bench.{module.name}")
    return list(_registry.values())


@dataclass
class Timing:
    ms_median: float
    baseline_ms_median: float
    samples: int

    @property
    def ratio(self) -> float:
        return self.ms_median / self.baseline_ms_median if self.baseline_ms_median else float("inf")


def _call(function, setup) -> float:
    argument = setup()
    start = time.perf_counter()
    function(argument)
    return time.perf_counter() - start


def measure(case: Case, warmup: int = WARMUP) -> Timing:
    """Medians of as many calls each of run and baseline as TIME_BUDGET allows (MIN_REPETITIONS at least),
    after `warmup` calls each.

    The two alternate (and swap which goes first every repetition), so that a noisy machine slows both alike.
    """
    pair = min(_call(case.run, case.setup) + _call(case.baseline, case.setup) for _ in range(warmup))
    repetitions = max(MIN_REPETITIONS, min(MAX_REPETITIONS, int(TIME_BUDGET / max(pair, 1e-6))))
    measured, baseline = [], []
    gc.collect()
    for repetition in range(repetitions):
        if repetition % 2:
            baseline.append(_call(case.baseline, case.setup))
            measured.append(_call(case.run, case.setup))
        else:
            measured.append(_call(case.run, case.setup))
            baseline.append(_call(case.baseline, case.setup))
    timing = Timing(
        ms_median=statistics.median(measured) * 1000,
        baseline_ms_median=statistics.median(baseline) * 1000,
        samples=repetitions,
    )
    return timing
