"""docs/tour.md quotes outputs that docs/make_tour.py generates; the committed files must be
what the code produces today (the timings of summary.txt excepted: its shape is checked)."""
import importlib.util
import json
import re

import pytest

from tests.conftest import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"


@pytest.fixture(scope="module")
def make_tour():
    spec = importlib.util.spec_from_file_location("make_tour", DOCS / "make_tour.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_outputs_are_what_the_code_produces_today(make_tour):
    outputs = make_tour.stable_outputs()
    assert sorted(outputs) == sorted(make_tour.STABLE)
    for name, text in outputs.items():
        committed = (DOCS / "tour_outputs" / name).read_text(encoding="utf-8")
        assert committed == text, ("docs/tour_outputs/%s is stale: run python "
                                   "docs/make_tour.py and commit" % name)


def test_the_traced_summary_has_the_shape_the_tour_describes(make_tour):
    for text in (make_tour.traced_summary(),
                 (DOCS / "tour_outputs" / "summary.txt").read_text(encoding="utf-8")):
        lines = text.splitlines()
        assert re.fullmatch(r"13 steps in [\d.]+ us, [\d.]+ KiB allocated; the 5 slowest:",
                            lines[0]), lines[0]
        assert lines[1].split() == ["op", "type", "time", "share", "memory", "kernel"]
        assert len(lines) == 7
        assert {line.split()[0] for line in lines[2:]} & {"MatMul",
                                                          "gradients/MatMul_grad/MatMul_1"}


def test_the_tour_quotes_the_current_outputs(make_tour):
    """Each block of tour.md marked ``<!-- quote: NAME -->`` is docs/tour_outputs/NAME."""
    tour = (DOCS / "tour.md").read_text(encoding="utf-8")
    blocks = make_tour.quoted_blocks(tour)
    assert {name for name, _ in blocks} >= {"ops.txt", "plan_train.txt", "plan_accuracy.txt",
                                            "plan_weights.txt", "summary.txt"}
    for name, text in blocks:
        assert text == (DOCS / "tour_outputs" / name).read_text(encoding="utf-8"), \
            "the quote of %s in docs/tour.md is stale: run python docs/make_tour.py" % name


def test_the_trace_the_screenshot_script_opens_is_chrome_trace_json(make_tour, tmp_path):
    """docs/make_screenshots.sh opens this file in a trace viewer (speedscope)."""
    path = tmp_path / "trace.json"
    make_tour.write_trace(path)
    events = json.loads(path.read_text(encoding="utf-8"))["traceEvents"]
    ops = [e for e in events if e["ph"] == "X"]
    assert len(ops) == 13
    names = {e["args"]["name"] for e in ops}
    update = "GradientDescent/update_Variable/ApplyGradientDescent"
    assert names >= {"MatMul", update}
    [event] = [e for e in ops if e["args"]["name"] == update]  # the weights' gradient inside
    assert "gradients/MatMul_grad/MatMul_1" in json.dumps(event["args"])
