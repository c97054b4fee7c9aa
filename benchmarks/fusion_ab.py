"""Fused against unfused, side by side in one process.

    python -m benchmarks.fusion_ab [--rounds N] MODEL BATCH [BATCH ...]

For each batch size: the hand-written numpy step, the hand-fused numba step, and two
tinygraph sessions of the same graph, one compiled with fusion (the default) and one with
``TINYGRAPH_FUSION=0`` (read when a plan is compiled), run round-robin (each round times a
burst of steps of each), medians of the rounds. Prints one line per batch size.
"""
import argparse
import os
import time

import numpy as np

from tinygraph import fused_group

from . import steps


def compare(model, batch, rounds):
    x, y = steps.make_batch(batch)
    runs = {name: steps.make_step(name, model, x, y) for name in ("numpy", "numba")}
    for name, fusion in (("tinygraph", "1"), ("tinygraph unfused", "0")):
        os.environ["TINYGRAPH_FUSION"] = fusion
        runs[name] = steps.make_step("tinygraph", model, x, y)
        runs[name]()  # compiles the plan with this setting
    os.environ.pop("TINYGRAPH_FUSION")
    for step in runs.values():
        for _ in range(fused_group.COMPILE_AFTER + 5):  # fused kernels compiled or loaded
            step()
    times = {name: [] for name in runs}
    burst = max(2, 2000 // batch)
    for _ in range(rounds):
        for name, step in runs.items():
            start = time.perf_counter()
            for _ in range(burst):
                step()
            times[name].append((time.perf_counter() - start) / burst)
    return {name: float(np.median(t)) for name, t in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=sorted(steps.MODELS))
    parser.add_argument("batches", type=int, nargs="+")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args(argv)
    for batch in args.batches:
        t = compare(args.model, batch, args.rounds)
        print("%s, batch %d: %s | fused/unfused %.2f, fused/numpy %.2f, fused/numba %.2f"
              % (args.model, batch, ", ".join("%s %.1f us" % (k, v * 1e6) for k, v in t.items()),
                 t["tinygraph"] / t["tinygraph unfused"], t["tinygraph"] / t["numpy"],
                 t["tinygraph"] / t["numba"]))


if __name__ == "__main__":
    main()
