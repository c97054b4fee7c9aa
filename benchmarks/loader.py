"""Loading CIFAR-10: wall time and peak resident memory of ``load_data`` on full-size data.

The article's loader converts to float64 and concatenates, peaking above 2.5 GiB; the goal
here is below 1.0 GiB and under 2 s from a warm page cache, for 50,000 + 10,000 images.
"""
import json
import os
import subprocess
import sys
import tarfile

from .datagen import full_size_archive

MEASURE = """
import json, resource, sys, time
import numpy as np
from tinygraph.datasets import cifar10
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
data = cifar10.load_data(sys.argv[1])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": peak, "baseline_kib": baseline,
                  "rows": len(data["images_train"])}))
"""


# The article's data_helpers.load_data, restated: float64 copies, concatenate, subtract.
ARTICLE = """
import json, os, pickle, resource, sys, time
import numpy as np
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
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
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": peak, "baseline_kib": baseline,
                  "rows": len(x_train)}))
"""


def archive_of(directory):
    """A .tar.gz of a generated batches directory, next to it (made once)."""
    path = os.path.join(os.path.dirname(directory), "cifar-10-python.tar.gz")
    if not os.path.exists(path):
        with tarfile.open(path + ".tmp", "w:gz", compresslevel=1) as tar:
            tar.add(directory, arcname="cifar-10-batches-py")
        os.replace(path + ".tmp", path)
    return path


def measure(source, script=MEASURE):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
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
             "| source | median time | peak resident (interpreter + imports alone) | goal |",
             "|---|---:|---:|---|"]
    for name, (source, script) in sources.items():
        measure(source, script)  # warm the page cache
        runs = [measure(source, script) for _ in range(1 if quick else repeats)]
        seconds = sorted(r["seconds"] for r in runs)[len(runs) // 2]
        peak = max(r["peak_kib"] for r in runs) / 2**20
        baseline = max(r["baseline_kib"] for r in runs) / 2**20
        goal = ""
        if name == "extracted directory" and not quick:
            goal = "< 2 s and < 1.0 GiB: %s" % ("met" if seconds < 2 and peak < 1.0
                                               else "**not met**")
        lines.append("| %s | %.2f s | %.2f GiB (%.2f GiB) | %s |" % (name, seconds, peak,
                                                                 baseline, goal))
    return lines


if __name__ == "__main__":
    print("\n".join(report(quick="--quick" in sys.argv)))
