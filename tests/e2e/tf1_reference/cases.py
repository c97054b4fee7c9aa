"""The TF1-style scripts (ours) whose printed numbers are compared with real TensorFlow's, and
how a number in their output is compared. Shared by ``make_reference.py`` (run under real
TensorFlow) and ``tests/e2e/test_tf1_reference.py`` (run under tinygraph); imports only numpy
and the MNIST file writer, so that it works in either environment."""
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
REFERENCE = HERE / "reference"
RTOL, ATOL = 1e-3, 1e-6

# scripts that read MNIST files: the IDX files the tests write, with these sizes and seed
MNIST_DATA = {"mnist_softmax.py": dict(train=24, test=10, seed=5),
              "mnist_layers.py": dict(train=16, test=6, seed=9)}

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|nan)")


def script_names():
    return sorted(path.name for path in SCRIPTS.glob("*.py"))


def prepare(name, directory):
    """Copy script ``name`` into ``directory`` with the data it reads; returns its path."""
    directory = Path(directory)
    if name in MNIST_DATA:
        from tests.datasets.mnist_files import write_mnist
        write_mnist(directory / "MNIST_data", **MNIST_DATA[name])
    return Path(shutil.copy(SCRIPTS / name, directory / name))


def reference_path(name):
    return REFERENCE / (Path(name).stem + ".txt")


def printed_lines(stdout):
    """The script's own lines (the MNIST reader's "Extracting ..." lines left out)."""
    return [line.rstrip() for line in stdout.splitlines()
            if line.strip() and not line.startswith("Extracting ")]


def split_numbers(line):
    """``(skeleton, numbers)``: the line with each number replaced by ``#`` and no spaces."""
    numbers = [float(text) for text in NUMBER.findall(line)]
    skeleton = re.sub(r"\s+", "", NUMBER.sub("#", line))
    return skeleton, numbers


def _close(g, w):
    """Within RTOL (ATOL near zero); infinities must be equal, NaN matches only NaN."""
    if g == w or (g != g and w != w):
        return True
    finite = abs(g) != float("inf") and abs(w) != float("inf") and g == g and w == w
    return finite and abs(g - w) <= max(RTOL * abs(w), ATOL)


def differences(got_lines, want_lines):
    """Every difference between two outputs, as readable lines (empty when they agree)."""
    problems = []
    if len(got_lines) != len(want_lines):
        problems.append("%d lines printed, TF1 printed %d" % (len(got_lines), len(want_lines)))
    for number, (got, want) in enumerate(zip(got_lines, want_lines), 1):
        got_skeleton, got_numbers = split_numbers(got)
        want_skeleton, want_numbers = split_numbers(want)
        if got_skeleton != want_skeleton or len(got_numbers) != len(want_numbers):
            problems.append("line %d: %r\n      TF1: %r" % (number, got, want))
            continue
        for g, w in zip(got_numbers, want_numbers):
            if not _close(g, w):
                problems.append("line %d: %r != TF1's %r in %r" % (number, g, w, got))
                break
    return problems
