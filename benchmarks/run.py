"""Run every benchmark in its own process, repeat, and print a markdown table of ratios.

    python -m benchmarks            # full run (TensorFlow/PyTorch/JAX rows if importable)
    python -m benchmarks --quick    # tiny sizes, one repeat: what the test suite runs

Each process gets the environment without ``OPENBLAS_CORETYPE`` (users' machines don't set
it; with it, numpy's OpenBLAS is held to AVX2 kernels) and without
``PYTHONDONTWRITEBYTECODE`` (set on these machines: every process would compile tinygraph's
modules from source again, ~0.1 s, where a default Python reads them compiled). Frameworks are measured round-robin
in several rounds so that machine drift hits all of them alike; only ratios within one run
are meaningful.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

from .steps import available, frameworks_of

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Issue 14's goals for tinygraph's step: (baseline, at most this many times its median). The
# plain gradient-descent steps must also stay below the hand-written numpy step.
GOALS = {"softmax": ("numba", 1.05), "twolayer": ("numba", 1.05),
         "twolayer_adam": ("numpy", 1.10), "twolayer_momentum": ("numpy", 1.10)}
STEP_BATCHES = {"softmax": (100, 400), "twolayer": (100, 400), "twolayer_adam": (400,),
                "twolayer_momentum": (400,)}
BATCH_SIZES = (1, 10, 100, 1000, 4096)  # the article's step, goal: tinygraph <= numpy at each
BATCH_FRAMEWORKS = ("numpy", "numba", "tinygraph", "tensorflow")
QUICK_STEP_BATCHES = {"softmax": (100,), "twolayer": (100,), "twolayer_adam": (400,),
                      "twolayer_momentum": (400,)}
QUICK_BATCH_SIZES = (1, 100)
QUICK_FRAMEWORKS = ("numpy", "numba", "tinygraph")
SIDE_BY_SIDE = ("numpy", "numba", "tinygraph")  # measured in one process, interleaved


def clean_env():
    """The environment of a measured process: the caller's, without OPENBLAS_CORETYPE and
    without PYTHONDONTWRITEBYTECODE (set on these machines; without it, as on a default
    Python, imports read the compiled bytecode instead of compiling every module again)."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_case(*args, quick=False):
    command = [sys.executable, "-m", "benchmarks.cases", *args] + (["--quick"] if quick else [])
    out = subprocess.run(command, cwd=ROOT, env=clean_env(), capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("benchmark %s failed:\n%s" % (" ".join(args), out.stderr[-3000:]))
    return json.loads(out.stdout.strip().splitlines()[-1])


def wall_time(code):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(), check=True,
                   capture_output=True)
    return time.perf_counter() - start


def stats(samples):
    s = np.asarray(samples)
    return float(np.median(s)), float(np.percentile(s, 10)), float(np.percentile(s, 90))


def fmt_time(seconds):
    if seconds < 1e-3:
        return "%.1f µs" % (seconds * 1e6)
    if seconds < 1:
        return "%.2f ms" % (seconds * 1e3)
    return "%.2f s" % seconds


def row(name, samples, base=None, goal=None, ratio=None):
    median, p10, p90 = stats(samples)
    if ratio is None:
        ratio = "" if base is None else "%.2f×" % (median / base)
    return "| %s | %s | %s – %s | %s | %s |" % (name, fmt_time(median), fmt_time(p10),
                                             fmt_time(p90), ratio, goal or "")


def verdict(ok):
    return "met" if ok else "**not met**"


def measure_steps(configs, rounds, samples, quick):
    """Samples of each (model, batch, framework), measured round-robin: every round runs each
    (model, batch) once, so that the machine's drift hits all of them alike. The steps
    written with numpy, numba and tinygraph run side by side in one process, interleaved
    (the goals are ratios between them: measured in separate processes, these moved by
    ±5 % from one process to the next); each other framework runs in a process of its own."""
    pooled = {config: [] for config in configs}
    groups = {}
    for model, batch, framework in configs:
        group = groups.setdefault((model, batch), [[]])
        if framework in SIDE_BY_SIDE:
            group[0].append(framework)
        else:
            group.append([framework])
    for _ in range(rounds):
        for (model, batch), together in groups.items():
            for frameworks in filter(None, together):
                result = run_case("step", "--framework", ",".join(frameworks), "--model",
                                  model, "--batch", str(batch), "--samples", str(samples),
                                  quick=quick)["samples"]
                for framework, values in result.items():
                    pooled[model, batch, framework] += values
    return pooled


def step_frameworks(model, quick, only=None):
    """The frameworks measured for ``model`` (of ``only`` if given), and the skipped ones
    with the reason."""
    wanted = [f for f in frameworks_of(model) if only is None or f in only]
    if quick:
        return [f for f in wanted if f in QUICK_FRAMEWORKS], {
            f: "quick mode" for f in wanted if f not in QUICK_FRAMEWORKS}
    return ([f for f in wanted if available(f) is None],
            {f: available(f) for f in wanted if available(f) is not None})


def step_goal(model, ratios):
    """The goal text of tinygraph's row, given its ratios to the baselines of its run."""
    base, factor = GOALS[model]
    if base == "numba" and "numba" in ratios:
        return "≤ %.2f× numba and < numpy: %s" % (
            factor, verdict(ratios["numba"] <= factor and ratios["numpy"] < 1))
    return "≤ %.2f× numpy: %s" % (factor, verdict(ratios["numpy"] <= factor))


def ratio_cells(median, bases):
    return ["%.2f×" % (median / bases[b]) if b in bases else "" for b in ("numpy", "numba")]


def bench_steps(rounds, samples, quick, lines):
    step_batches = QUICK_STEP_BATCHES if quick else STEP_BATCHES
    sizes = QUICK_BATCH_SIZES if quick else BATCH_SIZES
    configs = []
    for model, batches in step_batches.items():
        for batch in batches:
            configs += [(model, batch, f) for f in step_frameworks(model, quick)[0]]
    by_size = step_frameworks("softmax", quick, BATCH_FRAMEWORKS)[0]
    for batch in sizes:
        configs += [("softmax", batch, f) for f in by_size if ("softmax", batch, f) not in configs]
    pooled = measure_steps(configs, rounds, samples, quick)
    medians = {config: stats(values)[0] for config, values in pooled.items()}
    for model, batches in step_batches.items():
        frameworks, skipped = step_frameworks(model, quick)
        for batch in batches:
            bases = {b: medians[model, batch, b] for b in ("numpy", "numba")
                     if (model, batch, b) in medians}
            ours = medians[model, batch, "tinygraph"]
            lines.append("\n### Training step: %s, batch %d\n" % (model, batch))
            lines.append("| framework | median | p10 – p90 | × numpy | × numba | goal |")
            lines.append("|---|---:|---:|---:|---:|---|")
            for f in frameworks:
                median = medians[model, batch, f]
                if f == "tinygraph":
                    goal = step_goal(model, {b: ours / v for b, v in bases.items()})
                elif f in ("tensorflow", "torch", "jax"):
                    goal = "tinygraph faster: %s" % verdict(ours < median)
                else:
                    goal = ""
                lines.append(row(f, pooled[model, batch, f], ratio=" | ".join(
                    ratio_cells(median, bases)), goal=goal))
            for f, reason in skipped.items():
                lines.append("| %s | skipped: %s | | | | |" % (f, reason))
    bench_batch_sizes(pooled, medians, sizes, by_size, lines)


def bench_batch_sizes(pooled, medians, sizes, frameworks, lines):
    """The article's step at each batch size: per-call and per-op costs show at small ones."""
    lines.append("\n### Training step by batch size: softmax\n")
    lines.append("| batch | framework | median | p10 – p90 | × numpy | × numba | goal |")
    lines.append("|---:|---|---:|---:|---:|---:|---|")
    met = []
    for batch in sizes:
        bases = {b: medians["softmax", batch, b] for b in ("numpy", "numba")
                 if ("softmax", batch, b) in medians}
        ours = medians["softmax", batch, "tinygraph"]
        met.append(ours <= bases["numpy"])
        for f in frameworks:
            goal = "≤ numpy: %s" % verdict(met[-1]) if f == "tinygraph" else ""
            lines.append(row("%d | %s" % (batch, f), pooled["softmax", batch, f],
                             ratio=" | ".join(ratio_cells(medians["softmax", batch, f], bases)),
                             goal=goal))
    lines.append("\ntinygraph at or below the hand-written numpy step at every size: %s.\n"
                 % verdict(all(met)))


def bench_overhead(samples, quick, lines):
    result = run_case("overhead", "--samples", str(samples), quick=quick)
    ratios = np.asarray(result["run"]) / np.asarray(result["bare"])
    median = float(np.median(ratios))
    lines.append("\n### Session.run overhead (cached plan, one fed scalar, one add)\n")
    lines.append("| call | median | p10 – p90 | ratio | goal |")
    lines.append("|---|---:|---:|---:|---|")
    lines.append(row("numpy add", result["bare"]))
    lines.append(row("Session.run", result["run"], ratio="%.1f×" % median,
                     goal="≤ 15× the numpy add: %s" % verdict(median <= 15)))


FLOOR = ("import numpy as np; from benchmarks._floor import scale; "
         "x = np.ones(100, np.float32); scale(x, np.empty_like(x))")
FIRST_STEP = "import sys; sys.argv = ['', '%s']; import benchmarks._first_step"


def bench_cold_start(rounds, lines):
    candidates = {"floor: numpy + numba + one cached @njit call": FLOOR,
                  "tinygraph: import, build, first step": FIRST_STEP % "tinygraph"}
    if available("tensorflow") is None:
        candidates["TF1: import, build, first step"] = FIRST_STEP % "tensorflow"
    for code in candidates.values():
        wall_time(code)  # warm the numba cache and the page cache
    times = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, code in candidates.items():
            times[name].append(wall_time(code))
    floor = stats(times[next(iter(candidates))])[0]
    ours = stats(times["tinygraph: import, build, first step"])[0]
    lines.append("\n### Cold start, warm numba cache (fresh process, wall time)\n")
    lines.append("| process | median | p10 – p90 | × floor | goal |")
    lines.append("|---|---:|---:|---:|---|")
    for name, samples in times.items():
        goal = "≤ 1.5× floor: %s" % verdict(ours / floor <= 1.5) if name.startswith("tiny") \
            else None
        lines.append(row(name, samples, floor, goal))


def bench_memory(quick, lines):
    result = run_case("memory", quick=quick)
    (a, b), (rss_a, rss_b), (ops_a, ops_b) = result["steps"], result["rss"], result["ops"]
    growth = (rss_b - rss_a) / 2**20
    lines.append("\n### Memory over the article loop\n")
    lines.append("| step | resident | graph ops |")
    lines.append("|---:|---:|---:|")
    lines.append("| %d | %.1f MiB | %d |" % (a, rss_a / 2**20, ops_a))
    lines.append("| %d | %.1f MiB | %d |" % (b, rss_b / 2**20, ops_b))
    lines.append("\nGrowth %.2f MiB (goal ≤ 5 MB: %s); graph %s.\n" % (
        growth, verdict(growth * 2**20 <= 5e6),
        "unchanged" if ops_a == ops_b else "**grew by %d ops**" % (ops_b - ops_a)))


def bench_example(rounds, quick, lines):
    from .datagen import full_size_archive
    size = (500, 100) if quick else (50000, 10000)
    data_dir = full_size_archive(*size)
    steps = "50" if quick else "1000"
    backends = ["tinygraph"] + (["tensorflow"] if available("tensorflow") is None and not quick
                                else [])
    results = {b: {"loop": [], "total": []} for b in backends}
    for _ in range(rounds):
        for b in backends:
            r = run_case("example", "--framework", b, "--data-dir", data_dir, "--steps", steps)
            results[b]["loop"].append(r["loop"])
            results[b]["total"].append(r["total"])
    lines.append("\n### examples/cifar_softmax.py, %s steps on %d generated training images\n"
                 % (steps, size[0]))
    lines.append("| backend | part | median | p10 – p90 | × tensorflow | goal |")
    lines.append("|---|---|---:|---:|---:|---|")
    for part in ("loop", "total"):
        base = stats(results["tensorflow"][part])[0] if "tensorflow" in results else None
        for b in backends:
            goal = None
            if b == "tinygraph" and part == "loop" and base:
                goal = "≤ 0.5× tensorflow: %s" % verdict(
                    stats(results[b]["loop"])[0] / base <= 0.5)
            lines.append(row("%s | %s" % (b, part), results[b][part], base, goal))
    if "tensorflow" not in results:
        lines.append("| tensorflow | | skipped: %s | | | |" % (available("tensorflow")
                                                               or "quick mode"))


def machine_info():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    blas = "unknown"
    try:
        config = np.show_config(mode="dicts")
        info = config["Build Dependencies"]["blas"]
        blas = "%s %s" % (info.get("name"), info.get("version"))
    except Exception:
        pass
    return "%s, %d cores; numpy %s with %s; Python %s" % (
        cpu, os.cpu_count(), np.__version__, blas, platform.python_version())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--blas-threads", type=int, help="set OPENBLAS_NUM_THREADS for every "
                        "process (on a busy machine OpenBLAS's threads make steps many times "
                        "slower; the header records it)")
    parser.add_argument("--only", nargs="*", help="steps overhead coldstart memory example "
                        "wholerun loader")
    args = parser.parse_args(argv)
    rounds, samples = (1, 3) if args.quick else (args.rounds, args.samples)
    only = set(args.only or ["steps", "overhead", "coldstart", "memory", "example", "wholerun",
                             "loader"])
    lines = ["## Results %s" % datetime.date.today().isoformat(), "",
             "Machine: " + machine_info() + ".",
             "Every process ran with OPENBLAS_CORETYPE and PYTHONDONTWRITEBYTECODE removed "
             "from its environment."]
    if args.blas_threads:
        os.environ["OPENBLAS_NUM_THREADS"] = str(args.blas_threads)
        lines.append("Every process ran with OPENBLAS_NUM_THREADS=%d." % args.blas_threads)
    if "steps" in only:
        bench_steps(rounds, samples, args.quick, lines)
    if "overhead" in only:
        bench_overhead(samples, args.quick, lines)
    if "coldstart" in only:
        bench_cold_start(1 if args.quick else 5 * rounds, lines)
    if "memory" in only:
        bench_memory(args.quick, lines)
    if "example" in only:
        bench_example(rounds, args.quick, lines)
    if "wholerun" in only:
        from . import wholerun
        lines.extend(wholerun.report(2 * args.rounds, args.quick))  # noisier rows: more rounds
    if "loader" in only:
        from . import loader
        lines.append("")
        lines.extend(loader.report(quick=args.quick))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
