"""Loading CIFAR-10: wall time and peak resident memory of ``load_data`` on full-size data.

50,000 + 10,000 generated images in the official Python 2 pickle format, read from the
extracted directory and from the .tar.gz. Each measurement runs in a fresh process that has
imported tinygraph and waited for its background numba import to finish; the baseline is
that process's resident size just before ``load_data``, and the peak is the high-water mark
during the call (Linux resets it through /proc/self/clear_refs).

Goals: peak <= baseline + the final float32 arrays (0.69 GiB) + 150 MiB for both sources,
and < 1 s from a warm directory. The article's loader (float64 copies, then concatenate) is
shown for comparison.
"""
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from .datagen import full_size_archive
from .run import clean_env

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MARGIN_MIB = 150

PROLOGUE = """
import json, resource, sys, threading, time
import numpy as np

def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])

def settle_and_reset():
    # import tinygraph starts numba's import in a thread; let it finish first.
    for thread in threading.enumerate():
        if thread.name == "tinygraph-numba-import":
            thread.join()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the resident high-water mark to the current size
        return True
    except OSError:
        return False

def report(seconds, reset, arrays):
    peak = status_kib("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_kib": peak, "baseline_kib": baseline,
                      "result_bytes": sum(a.nbytes for a in arrays),
                      "rows": len(arrays[0]), "reset": reset}))
"""

MEASURE = PROLOGUE + """
import tinygraph
from tinygraph.datasets import cifar10
reset = settle_and_reset()
baseline = status_kib("VmRSS")
start = time.perf_counter()
data = cifar10.load_data(sys.argv[1])
seconds = time.perf_counter() - start
report(seconds, reset, [data[k] for k in ("images_train", "labels_train", "images_test",
                                          "labels_test")])
"""

# The article's data_helpers.load_data, restated: float64 copies, concatenate, subtract.
ARTICLE = PROLOGUE + """
import os, pickle
reset = settle_and_reset()
baseline = status_kib("VmRSS")
start = time.perf_counter()
def batch(name):
    with open(os.path.join(sys.argv[1], name), "rb") as f:
        d = pickle.load(f, encoding="latin1")
    return d["data"].astype(float), np.array(d["labels"])
parts = [batch("data_batch_%d" % i) for i in range(1, 6)]
x_train = np.concatenate([p[0] for p in parts]); y_train = np.concatenate([p[1] for p in parts])
del parts
x_test, y_test = batch("test_batch")
mean = np.mean(x_train, axis=0)
x_train -= mean
x_test -= mean
seconds = time.perf_counter() - start
report(seconds, reset, [x_train, y_train, x_test, y_test])
"""


def archive_of(directory):
    """A .tar.gz of a generated batches directory, next to it (made once, atomically)."""
    path = os.path.join(os.path.dirname(directory), "cifar-10-python.tar.gz")
    if not os.path.exists(path):
        fd, temporary = tempfile.mkstemp(suffix=".tmp", dir=os.path.dirname(directory))
        with os.fdopen(fd, "wb") as f, tarfile.open(fileobj=f, mode="w:gz",
                                                    compresslevel=1) as tar:
            tar.add(directory, arcname="cifar-10-batches-py")
        os.replace(temporary, path)
    return path


def measure(source, script=MEASURE):
    env = dict(clean_env(), PYTHONPATH=str(PROJECT_ROOT))  # this checkout's tinygraph
    out = subprocess.run([sys.executable, "-c", script, source], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(quick=False, repeats=3):
    sizes = (500, 100) if quick else (50000, 10000)
    directory = full_size_archive(*sizes)
    sources = {"extracted directory": (directory, MEASURE),
               ".tar.gz archive": (archive_of(directory), MEASURE),
               "the article's loader (float64), directory": (directory, ARTICLE)}
    lines = ["### Loading %d + %d images with tinygraph.datasets.cifar10.load_data\n" % sizes,
             "| source | median time | baseline | peak | peak - baseline | result arrays "
             "| goal |", "|---|---:|---:|---:|---:|---:|---|"]
    for name, (source, script) in sources.items():
        measure(source, script)  # warm the page cache
        runs = [measure(source, script) for _ in range(1 if quick else repeats)]
        seconds = sorted(r["seconds"] for r in runs)[len(runs) // 2]
        worst = max(runs, key=lambda r: r["peak_kib"] - r["baseline_kib"])
        baseline, peak = worst["baseline_kib"] / 2**20, worst["peak_kib"] / 2**20
        result = worst["result_bytes"] / 2**30
        goal = ""
        if script is MEASURE and not quick:
            memory_ok = peak - baseline <= result + MARGIN_MIB / 1024
            goal = "peak <= baseline + result + %d MiB: %s" % (
                MARGIN_MIB, "met" if memory_ok else "**not met**")
            if name == "extracted directory":
                goal += "; < 1 s: %s" % ("met" if seconds < 1 else "**not met**")
            if not all(r["reset"] for r in runs):
                goal += " (peak is the process's lifetime peak: clear_refs unavailable)"
        lines.append("| %s | %.2f s | %.2f GiB | %.2f GiB | %.2f GiB | %.2f GiB | %s |"
                     % (name, seconds, baseline, peak, peak - baseline, result, goal))
    return lines


if __name__ == "__main__":
    print("\n".join(report(quick="--quick" in sys.argv)))
