"""Our deterministic TF1-style scripts print the same numbers on tinygraph as on real TF1.

Each script in ``tests/e2e/tf1_reference/scripts/`` runs through ``python -m tinygraph run``;
every number it prints must match the output that ``make_reference.py`` recorded under real
TensorFlow (``tensorflow.compat.v1``; the version is the first line of each reference file)
within relative 1e-3 (absolute 1e-6 near zero), and the text around the numbers must be the
same, with either kernel backend. The scripts feed constants or numpy data with fixed seeds and use no random ops, whose
streams differ between the two frameworks.
"""
import pytest

from tests.conftest import PROJECT_ROOT
from tests.e2e.test_runner import run
from tests.e2e.tf1_reference import cases


@pytest.mark.parametrize("numba", ["1", "0"], ids=["numba", "reference"])
@pytest.mark.parametrize("name", cases.script_names())
def test_script_prints_tf1s_numbers(tmp_path, name, numba):
    reference = cases.reference_path(name)
    assert reference.exists(), "no reference for %s: run make_reference.py" % name
    header, *want = reference.read_text().splitlines()
    assert header.startswith("# tensorflow ")
    script = cases.prepare(name, tmp_path)
    result = run(script, cwd=tmp_path, env={"PYTHONPATH": str(PROJECT_ROOT), "TINYGRAPH_NUMBA": numba})
    assert result.returncode == 0, result.stderr
    problems = cases.differences(cases.printed_lines(result.stdout), want)
    assert not problems, "%s differs from %s:\n%s" % (name, header[2:], "\n".join(problems))


def test_every_script_has_a_reference_and_no_reference_is_stale():
    names = {cases.reference_path(name).name for name in cases.script_names()}
    assert names == {path.name for path in cases.REFERENCE.glob("*.txt")}


@pytest.mark.parametrize("got, want, same", [
    ("loss 0.5", "loss 0.50049", True), ("loss 0.5", "loss 0.5006", False),
    ("x [1e-07, 2.0]", "x [0.0, 2.0]", True), ("x [1e-05]", "x [0.0]", False),
    ("a [1, 2]", "a [1, 2, 3]", False), ("a [1,  2]", "a [1, 2]", True),
    ("b 'x' nan", "b 'x' nan", True), ("b True", "b False", False),
    ("c [inf, -inf]", "c [inf, -inf]", True), ("c [inf]", "c [-inf]", False),
    ("c [nan]", "c [1.0]", False), ("c [3.0]", "c [inf]", False),
])
def test_the_comparison(got, want, same):
    assert (not cases.differences([got], [want])) == same
