"""The benchmarks never import the test suite: what they measure on is theirs (`bench.memos`) or the product's."""

import json
import os
import subprocess
import sys

from tests.support.imports import ROOT, forbidden_imports

SET_UP_BENCH = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
import django
django.setup()
import bench.dataset, bench.org_scope
from django.conf import settings
print(json.dumps({
    "test_modules": sorted(m for m in sys.modules if m == "tests" or m.startswith("tests.")),
    "apps": [a for a in settings.INSTALLED_APPS if a.startswith(("tests", "bench"))],
}))
"""


def test_no_bench_module_imports_tests():
    assert forbidden_imports(ROOT / "bench", ("tests",)) == []


def test_a_bench_process_loads_no_test_module(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KEHU_", "BENCH_"))}
    env.update({"KEHU_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)})
    done = subprocess.run(
        [sys.executable, "-c", SET_UP_BENCH], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"test_modules": [], "apps": ["bench.memos"]}
