"""The measurements themselves; each runs in a fresh process started by ``run.py``.

``python -m benchmarks.cases CASE [options]`` prints one JSON object on its last line.
Times are seconds. Nothing here asserts anything: ``run.py`` turns samples into ratios.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np


def _samples(fn, samples, inner, warmup_seconds, warmup_calls=1):
    """Per-call seconds: ``samples`` timings of ``inner`` calls each, after a warm-up of
    ``warmup_seconds`` and at least ``warmup_calls`` calls."""
    end = time.perf_counter() + warmup_seconds
    for _ in range(warmup_calls):
        fn()
    while time.perf_counter() < end:
        fn()
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        out.append((time.perf_counter() - start) / inner)
    return out


def case_step(args):
    """One training step of ``--model`` at ``--batch``, in each of the comma-separated
    ``--framework``s: their timings interleaved (a burst of steps of each in turn, per
    sample), so that they all see the same machine state and the same process."""
    from .steps import MODELS, make_batch, make_step
    x, y = make_batch(args.batch or MODELS[args.model]["batch"])
    frameworks = args.framework.split(",")
    steps = {f: make_step(f, args.model, x, y) for f in frameworks}
    inner = 2 if args.quick else 10
    warmup = (0.05 if args.quick else 1.0) / len(steps)
    for step in steps.values():
        # tinygraph compiles a fused kernel at a plan's COMPILE_AFTER-th run (fused_group.py)
        _samples(step, 0, inner, warmup, warmup_calls=101)
    samples = {f: [] for f in steps}
    for _ in range(args.samples):
        for f, step in steps.items():
            samples[f] += _samples(step, 1, inner, 0)
    return {"samples": samples}


def case_overhead(args):
    """Session.run with a cached plan (one fed scalar, one add) vs the bare numpy add,
    alternating in one loop so that both see the same machine state."""
    import tinygraph as tf
    a = tf.placeholder(tf.float32, [])
    c = a + 1.0
    sess = tf.Session()
    value, one = np.array(2.0, np.float32), np.float32(1.0)
    feed = {a: value}
    run_times, bare_times = [], []
    inner = 200
    for _ in range(args.samples * 5):
        start = time.perf_counter()
        for _ in range(inner):
            sess.run(c, feed)
        middle = time.perf_counter()
        for _ in range(inner):
            np.add(value, one)
        end = time.perf_counter()
        run_times.append((middle - start) / inner)
        bare_times.append((end - middle) / inner)
    return {"run": run_times, "bare": bare_times}


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def case_memory(args):
    """Resident memory at step 1,000 and at the last step of the article loop."""
    import tinygraph as tf
    from .steps import graph_step  # noqa: F401  (same graph as the step benchmark)
    rng = np.random.default_rng(0)
    images = rng.standard_normal((5000, 3072)).astype(np.float32)
    labels = rng.integers(0, 10, 5000).astype(np.int64)
    x = tf.placeholder(tf.float32, [None, 3072])
    y = tf.placeholder(tf.int64, [None])
    w = tf.Variable(tf.zeros([3072, 10]))
    b = tf.Variable(tf.zeros([10]))
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.005).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    graph = tf.get_default_graph()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    steps = 2000 if args.quick else 20000
    checkpoint = steps // 20
    rss, ops = {}, {}
    for step in range(1, steps + 1):
        idx = np.random.choice(5000, 100)
        feed = {x: images[idx], y: labels[idx]}
        if step % 100 == 0:
            sess.run(accuracy, feed)
        sess.run(train, feed)
        if step in (checkpoint, steps):
            rss[step] = _rss_bytes()
            ops[step] = len(graph.get_operations())
    return {"steps": [checkpoint, steps], "rss": [rss[checkpoint], rss[steps]],
            "ops": [ops[checkpoint], ops[steps]]}


def case_example(args):
    """The example script's main(), with its data load and backend import timed apart."""
    import importlib.util
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, os.path.join(root, "examples"))  # as for a script: its helper modules
    spec = importlib.util.spec_from_file_location(
        "cifar_softmax", os.path.join(root, "examples", "cifar_softmax.py"))
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    spent = {"load": 0.0, "import": 0.0}

    def timed(name, fn):
        def wrapper(*a, **k):
            start = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - start
        return wrapper
    example.load = timed("load", example.load)
    example.import_backend = timed("import", example.import_backend)
    argv = ["--data-dir", args.data_dir, "--seed", "0", "--backend", args.framework,
            "--steps", str(args.steps)]
    start = time.perf_counter()
    saved = sys.stdout
    sys.stdout = open(os.devnull, "w")
    try:
        example.main(argv)
    finally:
        sys.stdout.close()
        sys.stdout = saved
    total = time.perf_counter() - start
    return {"total": total - spent["import"], "loop": total - spent["import"] - spent["load"],
            "load": spent["load"]}


CASES = {"step": case_step, "overhead": case_overhead, "memory": case_memory,
         "example": case_example}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--framework", default="tinygraph")
    parser.add_argument("--model", default="softmax")
    parser.add_argument("--batch", type=int, help="batch size (default: the model's)")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--data-dir")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    result = CASES[args.case](args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
