"""The whole run of examples/cifar_softmax.py: process start to exit, data load included.

    python -m benchmarks.wholerun [--quick] [--rounds 6]

Each row is a fresh process on the generated full-size data set (``datagen.py``: 50,000 +
10,000 images in the official format), with ``--seed 0`` and the example's defaults (batch
100, learning rate 0.005, 1,000 steps): the example with the default (numba) kernels, the
example with ``TINYGRAPH_NUMBA=0``, the example with ``TINYGRAPH_FAST_EXIT=0`` (what the
exit hook saves), the plain numpy script (``plain_numpy_cifar.py``), the
same script with numpy's request for transparent huge pages switched off (numpy's own
``NUMPY_MADVISE_HUGEPAGE=0``; tinygraph's loader allocates its images that way, see
``tinygraph/datasets/_cifar_read.py``), and the example with ``--backend tensorflow`` when
TensorFlow is importable. One warm-up round first (numba cache, page cache), then the rows
interleaved, round after round; medians.

Goals (issue 14): tinygraph's whole run at or below the plain numpy script's (the faster of
its two rows), and at most 0.4x TensorFlow's.
"""
import argparse
import subprocess
import sys
import time

from .datagen import full_size_archive
from .run import ROOT, clean_env, row, stats, verdict
from .steps import available

EXAMPLE = ["examples/cifar_softmax.py"]
PLAIN = ["benchmarks/plain_numpy_cifar.py"]
TINYGRAPH, TINYGRAPH_NUMPY = "tinygraph", "tinygraph, TINYGRAPH_NUMBA=0"
TINYGRAPH_SLOW_EXIT = "tinygraph, TINYGRAPH_FAST_EXIT=0"
PLAIN_ROWS = ("plain numpy script", "plain numpy script, NUMPY_MADVISE_HUGEPAGE=0")
TENSORFLOW = "tensorflow (--backend tensorflow)"


def commands(quick):
    """{row name: (argv after the interpreter, extra environment)}."""
    runs = {TINYGRAPH: (EXAMPLE, {}), TINYGRAPH_NUMPY: (EXAMPLE, {"TINYGRAPH_NUMBA": "0"}),
            TINYGRAPH_SLOW_EXIT: (EXAMPLE, {"TINYGRAPH_FAST_EXIT": "0"}),
            PLAIN_ROWS[0]: (PLAIN, {}), PLAIN_ROWS[1]: (PLAIN, {"NUMPY_MADVISE_HUGEPAGE": "0"})}
    if not quick and available("tensorflow") is None:
        runs[TENSORFLOW] = (EXAMPLE + ["--backend", "tensorflow"], {})
    return runs


def whole_run(argv, extra_env):
    """Wall time of one process, from its start to its exit; its output must be complete."""
    env = clean_env()
    env.update(extra_env)
    start = time.perf_counter()
    out = subprocess.run([sys.executable] + argv, cwd=ROOT, env=env, capture_output=True,
                         text=True)
    seconds = time.perf_counter() - start
    if out.returncode != 0 or "Test accuracy" not in out.stdout:
        raise RuntimeError("%s failed:\n%s" % (" ".join(argv), out.stderr[-3000:]))
    return seconds


def measure(rounds, quick):
    size = (500, 100) if quick else (50000, 10000)
    data_dir = full_size_archive(*size)
    steps = "50" if quick else "1000"
    runs = {name: (argv + ["--data-dir", data_dir, "--seed", "0", "--steps", steps], env)
            for name, (argv, env) in commands(quick).items()}
    for argv, env in runs.values():
        whole_run(argv, env)  # warm-up: numba's cache, the page cache
    times = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (argv, env) in runs.items():
            times[name].append(whole_run(argv, env))
    return size, steps, times


def report(rounds=6, quick=False):
    size, steps, times = measure(1 if quick else rounds, quick)
    medians = {name: stats(samples)[0] for name, samples in times.items()}
    plain = min(medians[name] for name in PLAIN_ROWS)
    tensorflow = medians.get(TENSORFLOW)
    lines = ["\n### Whole run of examples/cifar_softmax.py: %s steps, %d + %d generated images, "
             "process start to exit\n" % (steps, size[0], size[1]),
             "| process | median | p10 – p90 | × plain numpy | × tensorflow | goal |",
             "|---|---:|---:|---:|---:|---|"]
    for name, samples in times.items():
        ratios = ["%.2f×" % (medians[name] / plain),
                  "%.2f×" % (medians[name] / tensorflow) if tensorflow else ""]
        goal = ""
        if name in (TINYGRAPH, TINYGRAPH_NUMPY):
            goal = "≤ plain numpy: %s" % verdict(medians[name] <= plain)
            if tensorflow:
                goal += "; ≤ 0.4× tensorflow: %s" % verdict(medians[name] <= 0.4 * tensorflow)
        lines.append(row(name, samples, ratio=" | ".join(ratios), goal=goal))
    if tensorflow is None:
        lines.append("| %s | skipped: %s | | | | |" % (
            TENSORFLOW, "quick mode" if quick else available("tensorflow")))
    lines.append("\n× plain numpy is against the faster of the two plain-script rows.\n")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 images, 50 steps, one round")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args(argv)
    print("\n".join(report(args.rounds, args.quick)))


if __name__ == "__main__":
    main()
