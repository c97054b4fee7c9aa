"""The fusion pass (fusion.py): a fused plan computes what the unfused plan computes.

Fused and unfused runs of one graph are compared on random graphs of the ops that fuse
(fusion_graphs.py), on run-time errors (same type, text and op; all-or-nothing writes),
on the order rule around writes, and the generated kernels' disk cache, traced runs and
threads are checked on small fixed graphs.

Tolerance: an elementwise chain (+ - * /, neg, square, relu, add_n) and an update compute
each element with the same operations in the same order as the unfused kernels, so the
values of the first run's forward pass are compared for exact equality. A fused SumToShape
adds in loop order, where numpy's sum keeps eight partial sums once it has 8 terms or more
(a float32 sum of 120 terms differed in its last bit), so gradients and trained variables
are compared with rtol 1e-6 (float32) / 1e-12 (float64) of the array's largest magnitude;
at the small shapes drawn here they came out bit-identical in 300 examples. The reference
kernels are compared the same way.
"""
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given

import tinygraph as tf
from tinygraph import fused_cache, fused_group, fused_kernels
from tinygraph.client.timeline import Timeline
from tinygraph.fetches import structure_key
from tinygraph.registry import Fusion, get_op_def

from .fusion_graphs import Spec, build, close, feed_values, setting, specs, train_and_fetch

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RTOL = {np.float32: 1e-6, np.float64: 1e-12}


# -- 1. fused == unfused, on random graphs ----------------------------------------------------
@given(specs())
# A variable's negation, fetched, in a group whose loop is empty at batch 0: once never stored.
@example(Spec(np.float32, dims=[1, 1], batches=[1, 3, 0], feeds=[(True, False)],
              variables=[()], ops=[("neg", (1,))], fetched=[2], seed=0))
def test_random_graphs_compute_the_same_fused_unfused_and_on_the_reference_kernels(spec):
    tf.reset_default_graph()
    built = build(spec)
    feeds = feed_values(spec, built)
    fused, plan = train_and_fetch(built, feeds)
    unfused, unfused_plan = train_and_fetch(built, feeds, fusion=False)
    reference, _ = train_and_fetch(built, feeds, backend="reference")
    assert "Fused" in plan and "Fused" not in unfused_plan
    if built.train_op is not None:
        assert "ApplyGradientDescent]" in plan  # the update fused with its gradient's terms
    rtol = RTOL[spec.dtype]
    for step, (f, u, r) in enumerate(zip(fused, unfused, reference)):
        for k, (a, b, c) in enumerate(zip(f, u, r)):
            what = "step %d, value %d" % (step, k)
            if step == 0 and (k == 0 or k >= len(f) - len(spec.fetched)):
                np.testing.assert_array_equal(a, b, err_msg=what)  # no sum before these
            close(a, b, rtol, what)
            close(a, c, rtol, what + " (reference)")


def test_views_and_read_only_inputs_compute_the_same_fused_and_unfused():
    x = tf.placeholder(tf.float64, [3, 2])
    t = tf.transpose(x)  # a strided view
    c = tf.constant(np.arange(3.0))  # the graph's read-only array
    fetches = [tf.nn.relu(t + c) * t, tf.nn.relu(x[:, 0] - 1.0) * 3.0, -(t * 2.0)]
    v = tf.Variable(np.arange(6.0).reshape(2, 3))
    loss = tf.reduce_sum(v * v * 0.5) + 0.1 * tf.nn.l2_loss(v)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    feed = {x: np.arange(6.0).reshape(3, 2) - 2}
    results = []
    for fusion_on in (True, False):
        with setting(fusion=fusion_on):
            sess = tf.Session()
            sess.run(tf.global_variables_initializer())
            values = sess.run(fetches, feed)
            assert ("Fused" in sess.describe_plan(train)) == fusion_on
            sess.run(train)
            sess.run(train)
            results.append(values + [sess.run(v)])
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(results[0][0], np.maximum(feed[x].T + np.arange(3.0), 0)
                                  * feed[x].T)


# -- 2. errors: as unfused, and writes all or nothing -----------------------------------------
def run_both(fetches, feed, setup=lambda sess: None, after=()):
    """For fused and unfused runs: (error type, error text, op name) or the values, then
    the values of ``after`` once the run is over."""
    outcomes = []
    for fusion_on in (True, False):
        with setting(fusion=fusion_on):
            sess = tf.Session()
            setup(sess)
            plan = sess.describe_plan(fetches, feed)
            assert ("Fused" in plan) == fusion_on, plan
            try:
                result = sess.run(fetches, feed)
            except tf.errors.OpError as e:
                result = (type(e), e.message, e.op.name)
            outcomes.append((result, sess.run(list(after))))
    return outcomes


@pytest.mark.parametrize("feed_shapes", [((2, 3), (3, 3), (2, 3)), ((2, 3), (2, 3), (3, 3)),
                                         ((2, 3), (2, 1), (2, 3))])
def test_shapes_that_do_not_broadcast_at_run_time_raise_as_unfused(feed_shapes):
    x, y, z = [tf.placeholder(tf.float32, [None, None]) for _ in range(3)]
    out = tf.add_n([tf.nn.relu(x + y) * 2.0, z])  # Add, Relu, Mul, AddN: one group
    feed = {p: np.ones(s, np.float32) for p, s in zip((x, y, z), feed_shapes)}
    (fused, _), (unfused, _) = run_both(out, feed)
    if isinstance(unfused, tuple):
        assert fused == unfused
        assert unfused[0] is tf.errors.InvalidArgumentError
        assert unfused[2] in ("add", "AddN")
    else:
        np.testing.assert_array_equal(fused, unfused)


def two_updates():
    """Two variables updated from placeholders, each update fused with its gradient's ops
    (w's reads w in place)."""
    v = tf.Variable(np.arange(3.0, dtype=np.float32))
    w = tf.Variable(np.ones((2, 2), np.float32))
    x, y = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
    train = tf.train.GradientDescentOptimizer(0.5).apply_gradients(
        [(x * 2.0 + 1.0, v), (tf.nn.relu(y) * w, w)])
    return v, w, x, y, train


@pytest.mark.parametrize("x_shape, y_shape, text", [
    ((3,), (2, 1), None),  # relu(y) * w broadcasts to w's shape: a valid run
    ((2,), (2, 2), "var and delta do not have the same shape"),  # v's check
    ((3,), (1, 2, 2), "var and delta do not have the same shape"),  # w's check, v before it
    ((1,), (), "var and delta do not have the same shape"),  # a delta that would broadcast
    ((3,), (2, 3), "Incompatible shapes: [2,3] vs. [2,2]"),  # in w's fused gradient
])
def test_a_fused_update_with_a_wrong_shaped_gradient_raises_and_writes_nothing(
        x_shape, y_shape, text):
    v, w, x, y, train = two_updates()
    init = tf.global_variables_initializer()
    feed = {x: np.ones(x_shape, np.float32), y: np.full(y_shape, 2.0, np.float32)}
    (fused, after_fused), (unfused, after_unfused) = run_both(
        train, feed, setup=lambda sess: sess.run(init), after=[v, w])
    assert fused == unfused
    for a, b in zip(after_fused, after_unfused):
        np.testing.assert_array_equal(a, b)
    if text is None:
        assert fused is None
        np.testing.assert_array_equal(after_fused[0], np.arange(3.0) - 1.5)
        np.testing.assert_array_equal(after_fused[1], np.zeros((2, 2)))  # w - 0.5 * 2w
    else:
        assert fused[0] is tf.errors.InvalidArgumentError and text in fused[1]
        assert fused[2].startswith("GradientDescent/update_") or fused[2] == "mul_1"
        np.testing.assert_array_equal(after_fused[0], np.arange(3.0))  # nothing written
        np.testing.assert_array_equal(after_fused[1], np.ones((2, 2)))


def test_a_fused_update_of_an_uninitialized_variable_raises_and_writes_nothing():
    v, w, x, y, train = two_updates()
    feed = {x: np.ones(3, np.float32), y: np.ones((2, 2), np.float32)}
    (fused, after_fused), (unfused, _) = run_both(
        train, feed, setup=lambda sess: sess.run(v.initializer), after=[v])
    assert fused == unfused
    assert fused[0] is tf.errors.FailedPreconditionError and "uninitialized" in fused[1]
    np.testing.assert_array_equal(after_fused[0], np.arange(3.0))


def test_an_op_alone_writes_over_the_product_that_dies_in_it_and_only_then():
    """relu(x @ w) and its gradient: Relu and ReluGrad each become a group of their own,
    writing over the matrix product they read; values are those of the unfused plan. When
    the product is fetched too, it does not die there: it is left alone, and so is its op."""
    rng = np.random.default_rng(3)
    x = tf.placeholder(tf.float32, [None, 4])
    w = tf.Variable(rng.standard_normal((4, 3)).astype(np.float32))
    v = tf.Variable(rng.standard_normal((3, 2)).astype(np.float32))
    h = tf.nn.relu(tf.matmul(x, w))
    [gw] = tf.gradients(tf.reduce_sum(tf.matmul(h, v)), [w])
    [relu_grad] = [op for op in tf.get_default_graph().get_operations()
                   if op.type == "ReluGrad"]
    product = relu_grad.inputs[0]  # the gradient of h, dz @ v^T
    feed = {x: rng.standard_normal((5, 4)).astype(np.float32)}
    results = {}
    for fusion_on in (True, False):
        with setting(fusion=fusion_on):
            sess = tf.Session()
            sess.run(tf.global_variables_initializer())
            for fetches in ([h, gw], [h, gw, product]):
                runs = [sess.run(fetches, feed) for _ in range(3)]  # compiled from the 1st
                results[fusion_on, len(fetches)] = runs, sess.describe_plan(fetches, feed)
    for n in (2, 3):
        (fused, plan), (unfused, _) = results[True, n], results[False, n]
        for got, expected in zip(fused, unfused):
            for a, b in zip(got, expected):
                np.testing.assert_array_equal(a, b)
        assert ("Fused Relu[Relu]" in plan) and (("[ReluGrad]" in plan) == (n == 2)), plan

def test_writes_that_use_the_kernels_their_check_found_still_write_all_or_nothing():
    """Once the updates' kernels are compiled, the check and the fused writes run as one
    step (each write calls the kernel its check found): a run whose second update does not
    fit still raises before the first one lands, and later runs go on as before."""
    v, w, x, y, train = two_updates()
    good = {x: np.ones(3, np.float32), y: np.full((2, 1), 2.0, np.float32)}
    with setting(fusion=True):
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train, good)
        [plan] = [p for p in sess._plans.values() if "Fused" in p.describe()]
        merged = [line for line in plan._run_steps.source.splitlines() if "check" in line]
        assert len(merged) == 1 and merged[0].split("=")[0].count("vals[") == 2  # both writes
        before = sess.run([v, w])
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="var and delta do not have the same shape") as info:
            sess.run(train, {x: np.ones(3, np.float32), y: np.ones((1, 2, 2), np.float32)})
        assert info.value.op.name.startswith("GradientDescent/update_Variable_1")
        for a, b in zip(sess.run([v, w]), before):
            np.testing.assert_array_equal(a, b)  # nothing written, v's update neither
        sess.run(train, good)
        np.testing.assert_array_equal(sess.run(v), before[0] - 1.5)


# -- 3. the order rule --------------------------------------------------------------------------
def test_reads_before_and_after_a_fused_write_see_the_old_and_the_new_value():
    v = tf.Variable([1.0, -2.0, 3.0])
    x = tf.placeholder(tf.float32, [3])
    before = tf.nn.relu(v.read_value() * 2.0 + 1.0)
    loss = tf.reduce_sum(v * x) + 0.5 * tf.nn.l2_loss(v)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.control_dependencies([train]):
        new_v = v.read_value()
        stale = v.value() * 1.0  # the run's read of v, taken before the write: copied
    after = tf.nn.relu(new_v * 2.0 + 1.0)  # fused, after the write
    mixed = tf.nn.relu(v.value() * 1.0 + new_v * 0.0)  # no group across the write
    fetches = [before, after, stale, mixed, train]
    feed = {x: np.array([1.0, 2.0, 3.0], np.float32)}
    init = tf.global_variables_initializer()
    (fused, _), (unfused, _) = run_both(fetches, feed, setup=lambda sess: sess.run(init))
    for a, b in zip(fused[:4], unfused[:4]):
        np.testing.assert_array_equal(a, b)
    old = np.array([1.0, -2.0, 3.0], np.float32)
    new = old - np.float32(0.1) * (feed[x] + np.float32(0.5) * old)
    np.testing.assert_allclose(fused[0], np.maximum(old * 2 + 1, 0), rtol=1e-6)
    np.testing.assert_allclose(fused[1], np.maximum(new * 2 + 1, 0), rtol=1e-6)
    np.testing.assert_array_equal(fused[2], old)
    np.testing.assert_array_equal(fused[3], np.maximum(old, 0))
    with setting(fusion=True):
        plan = tf.Session().describe_plan(fetches, feed).splitlines()
    update = next(i for i, line in enumerate(plan) if "ApplyGradientDescent]" in line)
    assert any("Fused %s[Mul, Add, Relu]" % after.op.name in line for line in plan[update:])
    assert any("Fused %s[Mul, Add, Relu]" % before.op.name in line for line in plan[:update])
    assert any("Fused %s[Mul, Add, Relu]" % mixed.op.name in line for line in plan[update:])


def test_a_variable_read_inside_its_fused_update_is_not_copied_and_gives_tf1s_result():
    w = tf.Variable(np.array([[1.0, -2.0], [0.5, 4.0]]))  # float64
    x = tf.placeholder(tf.float64, [None, 2])
    loss = tf.reduce_sum(tf.matmul(x, w)) + 0.01 * tf.nn.l2_loss(w)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    feed = {x: np.array([[1.0, 2.0], [3.0, -1.0]])}
    init = tf.global_variables_initializer()
    with setting(fusion=True):
        sess = tf.Session()
        sess.run(init)
        plan = sess.describe_plan(train, feed)
        assert "ApplyGradientDescent[Mul" in plan  # the L2 term's Mul reads w in place
        assert "copy" not in plan, plan
        sess.run(train, feed)
        sess.run(train, feed)
        trained = sess.run(w)
    expected = w.initial_value_array if hasattr(w, "initial_value_array") else \
        np.array([[1.0, -2.0], [0.5, 4.0]])
    grad_of_sum = feed[x].sum(axis=0)[:, None] * np.ones((1, 2))  # x^T 1
    for _ in range(2):
        expected = expected - 0.1 * (grad_of_sum + 0.01 * expected)
    np.testing.assert_allclose(trained, expected, rtol=1e-15)


# -- 4. switched off ----------------------------------------------------------------------------
def small_chain():
    x = tf.placeholder(tf.float32, [None, 3])
    b = tf.Variable(np.ones(3, np.float32))
    out = tf.nn.relu(x + b) * 2.0
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(out))
    return x, b, out, train


def test_fusion_is_off_with_tinygraph_fusion_0_or_the_reference_kernels(backend, monkeypatch):
    monkeypatch.delenv("TINYGRAPH_FUSION", raising=False)
    x, b, out, train = small_chain()
    sess = tf.Session()
    plan = sess.describe_plan([out, train], [x])
    assert ("Fused" in plan) == (backend == "numba"), plan
    monkeypatch.setenv("TINYGRAPH_FUSION", "0")
    assert sess.describe_plan([out, train], [x]) == plan  # read when a plan is compiled
    assert "Fused" not in tf.Session().describe_plan([out, train], [x])


def test_nothing_fuses_in_a_process_with_tinygraph_numba_0():
    code = ("import tinygraph as tf\n"
            "x = tf.placeholder(tf.float32)\n"
            "print('Fused' in tf.Session().describe_plan(tf.nn.relu(x + 1.0) * 2.0, [x]))\n")
    for numba, fused in (("0", "False"), ("1", "True")):
        env = dict(os.environ, TINYGRAPH_NUMBA=numba)
        env.pop("TINYGRAPH_FUSION", None)
        out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0 and out.stdout.split() == [fused], out.stderr


# -- 5. the cache of generated kernels --------------------------------------------------------
@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty disk cache, and none of its kernels loaded in this process yet."""
    monkeypatch.setenv("TINYGRAPH_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(fused_cache, "_LOADED", {})
    return tmp_path / "fused"


def run_chain(dtype=np.float32, y_shape=(2, 3)):
    """(x + y) * 2 in a fresh graph, fused (no expression names the dtype); checks and
    returns the result."""
    tf.reset_default_graph()
    x, y = tf.placeholder(dtype), tf.placeholder(dtype)
    out = (x + y) * 2.0
    y_value = np.arange(np.prod(y_shape), dtype=dtype).reshape(y_shape)
    with setting(fusion=True):
        sess = tf.Session()
        result = sess.run(out, {x: np.full((2, 3), -1.0, dtype), y: y_value})
        assert "Fused" in sess.describe_plan(out, [x, y])
    np.testing.assert_array_equal(result, (y_value - np.ones((2, 3))) * 2)
    assert result.dtype == dtype
    return result


def test_each_expression_dtype_pattern_and_version_is_its_own_kernel_file(cache, monkeypatch):
    def files():
        return set(cache.glob("fused_*.py"))

    run_chain()
    [first] = seen = files()
    run_chain()  # the same kernel again: no new file
    assert files() == seen
    add, made = get_op_def("Add"), []
    for change in [lambda: run_chain(np.float64),
                   lambda: run_chain(y_shape=(1, 3)),  # y broadcasts along axis 0
                   lambda: run_chain(y_shape=(3,)),
                   lambda: monkeypatch.setattr(add, "fusion",
                                               Fusion("elementwise", "({1}) + ({0})")),
                   lambda: monkeypatch.setattr(fused_kernels, "_version", lambda: "0.0.0+changed")]:
        change()
        run_chain()
        [new] = files() - seen
        seen = files()
        made.append(new.read_text())
    assert "(v1) + (v0)" in made[3] and "(v1) + (v0)" not in first.read_text()
    assert "0.0.0+changed" in made[4]


def test_an_altered_kernel_file_is_rewritten_not_loaded(cache, monkeypatch):
    expected = run_chain()
    [path] = cache.glob("fused_*.py")
    source = path.read_text()
    assert " + " in source
    path.write_text(source.replace(" + ", " - "))  # still valid code, computing wrong values
    monkeypatch.setattr(fused_cache, "_LOADED", {})
    np.testing.assert_array_equal(run_chain(), expected)
    assert path.read_text() == source


FUSED_RUN = """
import tinygraph as tf
from tinygraph import fused_cache, fused_group
fused_group.COMPILE_AFTER = 1  # compile at the first run
x = tf.placeholder(tf.float32, [None, 3])
print(tf.Session().run(tf.nn.relu(x + 1.0) * 2.0, {x: [[1.0, -3.0, 0.5]]}).tolist())
stats = [kernel.stats for kernel in fused_cache._LOADED.values()]
print(sum(sum(s.cache_hits.values()) for s in stats), sum(sum(s.cache_misses.values())
                                                           for s in stats))
"""


def test_a_fresh_process_loads_the_kernel_from_disk_without_compiling(tmp_path):
    env = dict(os.environ, TINYGRAPH_CACHE_DIR=str(tmp_path / "tinygraph"),
               NUMBA_CACHE_DIR=str(tmp_path / "numba"), XDG_CACHE_HOME=str(tmp_path))
    env.pop("TINYGRAPH_NUMBA", None)
    env.pop("TINYGRAPH_FUSION", None)
    runs = [subprocess.run([sys.executable, "-c", FUSED_RUN], cwd=PROJECT_ROOT, env=env,
                           capture_output=True, text=True, timeout=300) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines()[0] == "[[4.0, 0.0, 3.0]]"
    assert "compiling fused kernels" in runs[0].stderr
    assert runs[0].stdout.splitlines()[1] == "0 1"  # compiled
    assert "compiling fused kernels" not in runs[1].stderr
    assert runs[1].stdout.splitlines()[1] == "1 0"  # loaded from numba's cache


# -- 6. traced runs -----------------------------------------------------------------------------
def test_a_traced_run_shows_each_fused_group_with_the_ops_inside():
    x, b, out, train = small_chain()
    with setting(fusion=True):
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        md = tf.RunMetadata()
        sess.run([out, train], {x: np.ones((2, 3), np.float32)},
                 options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=md)
    stats = md.step_stats.dev_stats[0].node_stats
    fused = {s.node_name: s.fused_ops for s in stats if s.fused_ops}
    assert fused[out.op.name] == ["add", "Relu", out.op.name]
    [update] = [s for s in stats if s.op_type == "Fused" and "update_" in s.node_name]
    assert update.fused_ops[-1] == update.node_name  # the update, after its gradient's ops
    assert update.kernel == "numba"
    [check] = [s for s in stats if s.op_type == "check"]
    assert check.fused_ops == []  # the pre-write check is not the group
    trace = json.loads(Timeline(md.step_stats).generate_chrome_trace_format())
    listed = [e["args"].get("fused_ops") for e in trace["traceEvents"] if e.get("ph") == "X"]
    assert "add, Relu, %s" % out.op.name in listed
    assert ", ".join(update.fused_ops) in listed


# -- 7. threads ---------------------------------------------------------------------------------
def test_two_threads_running_one_fused_plan_get_their_own_results():
    x, y = tf.placeholder(tf.float64), tf.placeholder(tf.float64)
    out = tf.nn.relu(x * y - 1.0) + x
    barrier = threading.Barrier(2, timeout=30)
    failures = []
    with setting(fusion=True):
        sess = tf.Session()
        assert "Fused" in sess.describe_plan(out, [x, y])

        def work(seed):
            try:
                rng = np.random.RandomState(seed)
                barrier.wait()
                for step in range(30):  # new shape combinations compile concurrently
                    shapes = [(seed + step % 4, 3), (1, 3)] if step % 2 else [(2, seed), ()]
                    a, b = rng.randn(*shapes[0]), rng.randn(*shapes[1])
                    np.testing.assert_array_equal(sess.run(out, {x: a, y: b}),
                                                  np.maximum(a * b - 1.0, 0) + a)
            except BaseException as e:  # noqa: BLE001 - reported below
                failures.append(e)

        threads = [threading.Thread(target=work, args=(seed,)) for seed in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
            assert not t.is_alive()
    assert not failures, failures[0]


# -- 8. when a kernel is compiled ---------------------------------------------------------------
def test_a_new_kernel_is_compiled_only_when_its_shapes_come_back(cache, monkeypatch):
    """A graph run once or twice never waits for numba: its groups run their ops one by
    one until the same shapes arrive for the COMPILE_AFTER-th time; the values are the same
    either way, and a kernel already on disk is used from the first run."""
    monkeypatch.setenv("TINYGRAPH_FUSION", "1")
    x = tf.placeholder(tf.float32, [None, 3])
    out = tf.nn.relu(x + 1.0) * 2.0
    sess = tf.Session()
    feed = {x: np.array([[1.0, -3.0, 0.5]], np.float32)}
    results = []
    for run in range(1, fused_group.COMPILE_AFTER + 1):
        results.append(sess.run(out, feed))
        assert (len(list(cache.glob("fused_*.py"))) == 1) == (run == fused_group.COMPILE_AFTER)
    for result in results:
        np.testing.assert_array_equal(result, [[4.0, 0.0, 3.0]])
    tf.reset_default_graph()  # a new graph and session: the kernel on disk is used at once
    x = tf.placeholder(tf.float32, [None, 3])
    out = tf.nn.relu(x + 1.0) * 2.0
    sess = tf.Session()
    np.testing.assert_array_equal(sess.run(out, {x: [[1.0, -3.0, 0.5]]}), [[4.0, 0.0, 3.0]])
    [plan] = sess._plans.values()
    [group] = [op for _, _, _, op in plan.steps if op.type == "Fused"]
    assert list(group._kernels) == [((1, 3), (), ())]  # x and the two constants: compiled


def test_a_kernel_is_written_once_per_shapes_while_its_group_waits(cache, monkeypatch):
    """Until a kernel is compiled, the runs before it (unfused) and the pre-write checks do
    not write its source again: it is built once per shapes (writing it costs more than
    the run), for a read group and for an update alike."""
    monkeypatch.setenv("TINYGRAPH_FUSION", "1")
    built = []
    build = fused_kernels.ElementwiseKernel.build
    monkeypatch.setattr(fused_kernels.ElementwiseKernel, "build",
                        staticmethod(lambda group, arrays: built.append(group.name)
                                     or build(group, arrays)))
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(tf.ones([3]))
    out = tf.nn.relu(x * w + 1.0) * 2.0
    train = tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(out))
    sess = tf.Session()
    sess.run(w.initializer)
    runs = min(fused_group.COMPILE_AFTER - 1, 10)
    for _ in range(runs):
        sess.run(train, {x: [[1.0, -3.0, 0.5]]})
    assert not list(cache.glob("fused_*.py"))  # nothing compiled yet
    assert built and len(built) == len(set(built))  # each group's kernel written once
    for _ in range(runs):
        sess.run(train, {x: [[1.0, -3.0, 0.5], [2.0, 1.0, 0.0]]})  # new shapes: once more
    assert len(built) == 2 * len(set(built))


def test_an_op_reading_the_fused_cross_entropy_gradient_stays_outside_its_group():
    """The mean cross-entropy's group is one hand-written kernel: an elementwise op that
    reads its gradient runs after it, not inside it (it once joined the group and broke)."""
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.int64, [None])
    w = tf.Variable(rng.standard_normal((4, 3)).astype(np.float32))
    b = tf.Variable(tf.zeros([3]))
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(logits=logits,
                                                                         labels=y))
    tripled = tf.gradients(loss, logits)[0] * 3.0
    feed = {x: rng.standard_normal((5, 4)).astype(np.float32), y: [0, 1, 2, 0, 1]}
    results = {}
    for fusion_on in (True, False):
        with setting(fusion=fusion_on):
            sess = tf.Session()
            sess.run(tf.global_variables_initializer())
            results[fusion_on] = sess.run(tripled, feed)
            plan = sess.describe_plan(tripled, feed)
            assert ("SparseSoftmaxCrossEntropyWithLogits, MeanGrad, ExpandDims, Mul]" in plan) \
                == fusion_on
    np.testing.assert_array_equal(results[True], results[False])


def test_an_error_in_a_fused_step_names_where_each_of_its_ops_was_made():
    x = tf.placeholder(tf.float32, [None, 3])
    shifted = x + 1.0
    out = tf.nn.relu(shifted)
    with setting(fusion=True):
        sess = tf.Session()
        sess.run(out, {x: np.ones((1, 3), np.float32)})
    [group] = [op for _, _, _, op in next(iter(sess._plans.values())).steps
               if op.type == "Fused"]
    text = str(tf.errors.InternalError(None, group, "a message"))
    assert text.startswith("a message") and "Caused by op 'add'" in text \
        and "Caused by op 'Relu'" in text and "test_fusion.py" in text


# -- 6. a group writes its output over an input that dies with it (plan._overwritable) -------
def reuse_graph():
    """The article's step with a hidden relu layer: the relu's group and the cross-entropy's
    group each read a fresh matrix product that nothing reads after them, unless a test
    fetches the products, reads them later, or reads the views of them made before."""
    rng = np.random.default_rng(3)
    x = tf.placeholder(tf.float32, [None, 5])
    y = tf.placeholder(tf.int64, [None])
    w1 = tf.Variable(rng.standard_normal((5, 4)).astype(np.float32))
    w2 = tf.Variable(rng.standard_normal((4, 3)).astype(np.float32))
    b1, b2 = tf.Variable(tf.fill([4], 0.1)), tf.Variable(tf.zeros([3]))
    product1 = tf.matmul(x, w1)
    view1 = tf.identity(product1)  # made (and run) before the groups that read product1
    product2 = tf.matmul(tf.nn.relu(product1 + b1), w2)
    view2 = tf.identity(product2)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        logits=product2 + b2, labels=y))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    feed = {x: rng.standard_normal((6, 5)).astype(np.float32), y: [0, 1, 2, 0, 1, 2]}
    return dict(product1=product1, product2=product2, view1=view1, view2=view2, loss=loss,
                train=train, feed=feed)


def overwritten(sess, fetches, feed):
    """{the types of each group's first and last op: the inputs it may write over}, in
    the plan that ``sess.run(fetches, feed)`` ran."""
    plan = sess._plans[structure_key(fetches), frozenset(feed)]
    return {op.ops[0].type + "/" + op.ops[-1].type: set(op.overwritable)
            for _, _, _, op in plan.steps if op.type == "Fused"}


@pytest.mark.parametrize("fetch", ["nothing more", "loss", "products", "views",
                                   "later readers"])
def test_a_group_writes_over_an_input_only_when_nothing_else_sees_that_memory(fetch):
    g = reuse_graph()
    feed = g["feed"]
    extra = {"nothing more": [],
             "loss": [g["loss"]],  # the loss reads the logits last: no reuse in the kernel
             "products": [g["product1"], g["product2"]],  # the caller's: never overwritten
             "views": [g["view1"] * 1.0, g["view2"] * 1.0],  # read after the groups
             "later readers": [tf.reduce_sum(g["product1"]), tf.reduce_sum(g["product2"])]
             }[fetch]
    fetches = [g["train"]] + extra
    fed = {key: value.copy() for key, value in feed.items()}
    results = {}
    for fusion_on in (True, False):
        with setting(fusion=fusion_on):
            sess = tf.Session()
            sess.run(tf.global_variables_initializer())
            results[fusion_on] = [sess.run(fetches, feed)[1:] for _ in range(3)] + \
                [sess.run(tf.trainable_variables())]
            if fusion_on:
                reuse = overwritten(sess, fetches, feed)
    expected = {0} if fetch in ("nothing more", "loss") else set()
    assert reuse["Add/Relu"] == expected and reuse["Add/Mul"] == expected, reuse
    for fused, unfused in zip(results[True], results[False]):
        for a, b in zip(fused, unfused):
            close(a, b, RTOL[np.float32])
    for key, value in feed.items():  # the caller's arrays are never written over
        np.testing.assert_array_equal(value, fed[key])


@pytest.mark.parametrize("with_loss", [False, True])
def test_a_traced_run_shows_which_fused_steps_wrote_over_their_input(with_loss):
    g = reuse_graph()
    fetches = [g["train"]] + ([g["loss"]] if with_loss else [])
    with setting(fusion=True):
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        md = tf.RunMetadata()
        sess.run(fetches, g["feed"], options=tf.RunOptions(
            trace_level=tf.RunOptions.FULL_TRACE), run_metadata=md)
    stats = md.step_stats.dev_stats[0].node_stats
    allocated = {s.fused_ops[0].split("/")[-1] + "/" + s.fused_ops[-1].split("/")[-1]:
                 s.allocated_bytes for s in stats if s.fused_ops}
    assert allocated["add/Relu"] == 0  # over the first product (6 x 4 float32)
    assert allocated["add_1/mul"] == (6 * 3 * 4 + 6 * 4 if with_loss else 0)
    assert [s.allocated_bytes for s in stats if s.node_name in ("MatMul", "MatMul_1")] == \
        [6 * 4 * 4, 6 * 3 * 4]


def test_an_output_smaller_than_the_loop_is_not_written_over_its_input():
    """``sum + b`` (4 values) is stored once per row of the loop over ``x``'s 3 x 4: its
    input, a fresh sum that dies in the group, would be read again after being written."""
    x = tf.placeholder(tf.float32, [3, 4])
    b = tf.constant(np.arange(4, dtype=np.float32))
    column_sums = tf.reduce_sum(x, axis=0)  # a fresh array of 4, read only by the group
    shifted = column_sums + b
    fetches = [shifted * 2.0, tf.nn.relu(shifted + x)]
    feed = {x: np.arange(12, dtype=np.float32).reshape(3, 4) - 5}
    results = {}
    for fusion_on in (True, False):
        with setting(fusion=fusion_on):
            sess = tf.Session()
            results[fusion_on] = [sess.run(fetches, feed) for _ in range(2)]
            if fusion_on:
                reuse = overwritten(sess, fetches, feed)
    assert {0} in reuse.values()  # allowed by the plan; refused by the kernel's shapes
    for fused, unfused in zip(results[True], results[False]):
        for a, b_ in zip(fused, unfused):
            np.testing.assert_array_equal(a, b_)
