"""The mutation runner (tools/mutation.py, `make mutation`): the mutants it makes, and one real run over a sample
module with a killed, a survived, a timed-out and an untested mutant each."""

import json
import subprocess
import sys
from pathlib import Path

from tools import mutation

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "support" / "mutation_sample.py"


def test_the_mutants_of_the_sample():
    assert [(m.line, m.qualname, m.change) for m in mutation.generate(SAMPLE)] == [
        (3, "=LIMIT", "10 → 11"),
        (7, "clamp", "> → >="),
        (8, "clamp", "return None"),
        (9, "clamp", "return None"),
        (13, "countdown", "0 → 1"),
        (14, "countdown", "> → >="),
        (14, "countdown", "0 → 1"),
        (15, "countdown", "- → +"),
        (15, "countdown", "1 → 2"),
        (16, "countdown", "+ → -"),
        (16, "countdown", "1 → 2"),
        (17, "countdown", "return None"),
        (21, "untested", "return None"),
        (21, "untested", "drop `not`"),
    ]


def test_docstrings_gettext_messages_and_marked_lines_are_not_mutated(tmp_path):
    sample = tmp_path / "skips.py"
    sample.write_text(
        '"""Doc."""\nfrom django.utils.translation import gettext as _\n\n\n'
        'def f(x):\n    """Doc."""\n    y = x + 1  # pragma: no mutate\n    return _("Message") + "!"\n',
        encoding="utf-8",
    )
    changes = [(m.line, m.change) for m in mutation.generate(sample)]
    assert changes == [(8, "return None"), (8, "+ → -"), (8, "'!' → 'XX!XX'")]


def test_a_run_over_the_sample(tmp_path):
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "tools.mutation", "tests/support/mutation_sample.py", "--timeout", "3"]
    command += ["--tests", "tests/support/mutation_sample_checks.py", "--report", str(report)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(report.read_text(encoding="utf-8"))
    statuses = {(m["line"], m["change"]): m["status"] for m in result["mutants"]}
    assert statuses == {
        (3, "10 → 11"): "killed",
        (7, "> → >="): "survived",
        (8, "return None"): "killed",
        (9, "return None"): "killed",
        (13, "0 → 1"): "killed",
        (14, "> → >="): "killed",
        (14, "0 → 1"): "killed",
        (15, "- → +"): "timeout",
        (15, "1 → 2"): "killed",
        (16, "+ → -"): "killed",
        (16, "1 → 2"): "killed",
        (17, "return None"): "killed",
        (21, "return None"): "no tests",
        (21, "drop `not`"): "no tests",
    }
    assert (result["killed"], result["non_equivalent"], result["score"]) == (11, 14, 78.6)
    assert "tests/support/mutation_sample_checks.py::test_clamp" in {m["killed_by"] for m in result["mutants"]}
    assert "survived  line 7" in done.stdout


def test_the_score_leaves_out_equivalent_mutants_and_those_that_could_not_run():
    mutants = [mutation.Mutant("k", 1, 1, "f", "c", status=s) for s in ("killed", "timeout", "survived")]
    mutants += [mutation.Mutant("e", 1, 1, "f", "c", status=s) for s in ("equivalent", "error", "not run")]
    assert mutation.score(mutants)["killed"] == 2
    assert (mutation.score(mutants)["non_equivalent"], mutation.score(mutants)["score"]) == (3, 66.7)


def test_the_equivalents_list_names_existing_modules():
    for module, keys in mutation.load_equivalents().items():
        assert (ROOT / module).is_file(), module
        assert all(reason for reason in keys.values())
