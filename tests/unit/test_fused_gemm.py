"""The gradient-descent update that is one BLAS gemm over the weights (``fusion._gemm_update``,
``fused_gemm.GemmUpdateKernel``, ``kernels/blas.py``): which updates it takes, that it
computes what the ops compute (to rounding), that it keeps the plan's rules, and that it
steps aside when it cannot run."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygraph as tf
from tinygraph.kernels import blas, numba_impl

from .fusion_graphs import close, setting

RTOL = {np.float32: 2e-5, np.float64: 1e-12}


def regression(dtype, l2=None, lr=0.05, extra=None, columns=8):
    """A linear least-squares step: w's gradient is x^T @ (2/n (x w - y)), plus l2 * w.
    With 8 columns the update is one gemm; with 3, the product and a pass of the update
    (``fused_gemm._gemm_pays``)."""
    x = tf.placeholder(dtype, [None, None])
    y = tf.placeholder(dtype, [None, None])
    w = tf.Variable(np.linspace(-1, 1, 4 * columns).reshape(4, columns).astype(dtype))
    b = tf.Variable(np.zeros(columns, dtype))
    out = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.square(out - y))
    if l2 is not None:
        loss = loss + l2 * tf.nn.l2_loss(w)
    if extra == "momentum":
        train = tf.train.MomentumOptimizer(lr, 0.9).minimize(loss)
    else:
        train = tf.train.GradientDescentOptimizer(lr).minimize(loss)
    return x, y, w, b, train


def run_steps(fusion_on, build, feeds, fetch_more=(), prepare=None):
    """The variables after each run of ``train`` (and what ``fetch_more`` fetched), or the
    error's (type, message, op) and the variables after it; the plan's text."""
    tf.reset_default_graph()
    x, y, w, b, train = build()
    with setting(fusion=fusion_on):
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        if prepare is not None:
            prepare()
        fetches = [train] + [f(locals()) for f in fetch_more]
        out = []
        for xv, yv in feeds:
            try:
                got = sess.run(fetches, {x: xv, y: yv})[1:]
            except tf.errors.OpError as e:
                got = (type(e), e.message, e.op.name)
            out.append((got, sess.run([w, b])))
        run_steps.gemm = gemm_calls(sess)
        return out, sess.describe_plan(fetches, {x: xv, y: yv})


def folded(plan):
    return "[MatMul, ApplyGradientDescent]" in plan or "MatMul, AddN, ApplyGradientDescent]" \
        in plan


def gemm_calls(sess):
    """Of each compiled call of a folded update in ``sess``: whether it calls gemm."""
    groups = {id(op): op for plan in sess._plans.values() for _, _, _, op in plan.steps
              if any(m.type == "MatMul" for m in getattr(op, "ops", ()))}
    return [call.uses_gemm for op in groups.values() for call in op._kernels.values()
            if hasattr(call, "uses_gemm")]


def same(fused, unfused, rtol):
    for (got_f, vars_f), (got_u, vars_u) in zip(fused, unfused):
        if isinstance(got_u, tuple):
            assert got_f == got_u
        else:
            for a, e in zip(got_f, got_u):
                close(a, e, rtol)
        for a, e in zip(vars_f, vars_u):
            close(a, e, rtol)


values = st.one_of(st.floats(-3, 3, width=32), st.sampled_from([0.0, np.nan, np.inf]))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf - inf, on purpose
@settings(max_examples=25, deadline=None)
@given(dtype=st.sampled_from([np.float32, np.float64]), rows=st.integers(0, 5),
       columns=st.sampled_from([3, 8]), l2=st.sampled_from([None, 0.1, 0.5]),
       lr=st.sampled_from([0.05, 2.0, 10.0]), data=st.data())
def test_the_folded_update_computes_what_the_ops_compute(dtype, rows, columns, l2, lr, data):
    """Batches of 0 to 5 rows (0: the ops run one by one), NaN and inf in the data, an L2
    term or none, learning rates that make 1 - lr * l2 zero (gemm would not read W) or
    negative; one gemm (8 columns), or the product and a pass of the update (3 columns,
    the ops' arithmetic: the same bits)."""
    feeds = []
    for _ in range(3):
        xv = np.array(data.draw(st.lists(values, min_size=rows * 4, max_size=rows * 4)),
                      dtype).reshape(rows, 4)
        yv = np.array(data.draw(st.lists(values, min_size=rows * columns,
                                         max_size=rows * columns)), dtype).reshape(rows, columns)
        feeds.append((xv, yv))
    build = lambda: regression(dtype, l2, lr, columns=columns)  # noqa: E731
    fused, plan = run_steps(True, build, feeds)
    assert run_steps.gemm == ([] if rows == 0 else [columns == 8])
    unfused, _ = run_steps(False, build, feeds)
    assert folded(plan)
    same(fused, unfused, RTOL[dtype] if columns == 8 else 0)


@pytest.mark.parametrize("change", ["product fetched", "transposed b", "momentum",
                                    "product read twice"])
def test_other_updates_and_products_are_left_as_they_were(change):
    rng = np.random.default_rng(0)
    feeds = [(rng.standard_normal((5, 4)), rng.standard_normal((5, 8))) for _ in range(2)]
    fetch_more, build = (), lambda: regression(np.float64)
    if change == "product fetched":
        fetch_more = (lambda env: [op for op in tf.get_default_graph().get_operations()
                                   if op.type == "MatMul" and op.attrs["transpose_a"]][0]
                      .outputs[0],)
    elif change == "momentum":
        build = lambda: regression(np.float64, extra="momentum")  # noqa: E731
    else:
        def build():
            x = tf.placeholder(tf.float64, [None, None])
            y = tf.placeholder(tf.float64, [None, None])
            w = tf.Variable(np.ones((4, 8)))
            b = tf.Variable(np.zeros(8))
            if change == "transposed b":  # the same value as x^T @ y, with b transposed
                grad = tf.matmul(x, tf.transpose(y), transpose_a=True, transpose_b=True)
            else:  # the product is read by the update and by the bias's gradient
                grad = tf.matmul(x, y, transpose_a=True)
            train = tf.group(
                tf.train.GradientDescentOptimizer(0.1).apply_gradients([(grad, w)]),
                tf.assign_add(b, tf.reduce_sum(grad, axis=0)) if change != "transposed b"
                else tf.no_op())
            return x, y, w, b, train
    fused, plan = run_steps(True, build, feeds, fetch_more)
    unfused, _ = run_steps(False, build, feeds, fetch_more)
    assert not folded(plan), plan
    same(fused, unfused, 0)


@pytest.mark.parametrize("bad", ["x too wide", "y too wide"])
def test_a_run_that_cannot_update_raises_as_the_ops_do_and_writes_nothing(bad):
    rng = np.random.default_rng(1)
    good = (rng.standard_normal((5, 4)).astype(np.float32),
            rng.standard_normal((5, 8)).astype(np.float32))
    wrong = {"x too wide": (np.ones((5, 6), np.float32), good[1]),
             "y too wide": (good[0], np.ones((5, 9), np.float32))}[bad]
    build = lambda: regression(np.float32, l2=0.1)  # noqa: E731
    fused, plan = run_steps(True, build, [good, wrong, good])
    assert folded(plan) and run_steps.gemm == [True]
    unfused, _ = run_steps(False, build, [good, wrong, good])
    assert not isinstance(fused[0][0], tuple) and not isinstance(fused[2][0], tuple)
    assert fused[1][0] == unfused[1][0] and fused[1][0][0] is tf.errors.InvalidArgumentError
    for a, e in zip(fused[1][1], fused[0][1]):  # after the failed run: as before it
        np.testing.assert_array_equal(a, e)
    same(fused, unfused, RTOL[np.float32])


def test_an_uninitialized_weight_raises_before_the_bias_is_updated():
    outcomes = {}
    for fusion_on in (True, False):
        tf.reset_default_graph()
        x, y, w, b, train = regression(np.float32, l2=0.1)
        with setting(fusion=fusion_on):
            sess = tf.Session()
            sess.run(b.initializer)
            with pytest.raises(tf.errors.FailedPreconditionError) as info:
                sess.run(train, {x: np.ones((5, 4), np.float32), y: np.ones((5, 8),
                                                                          np.float32)})
            outcomes[fusion_on] = info.value.message
            np.testing.assert_array_equal(sess.run(b), np.zeros(8))
    assert outcomes[True] == outcomes[False] and "uninitialized" in outcomes[True]


def test_without_a_blas_to_call_the_ops_run_one_by_one(monkeypatch):
    monkeypatch.setattr(blas, "_found", {np.dtype(np.float32): None,
                                         np.dtype(np.float64): None})
    rng = np.random.default_rng(2)
    feeds = [(rng.standard_normal((5, 4)), rng.standard_normal((5, 8))) for _ in range(3)]
    build = lambda: regression(np.float64, l2=0.1)  # noqa: E731
    fused, plan = run_steps(True, build, feeds)
    assert run_steps.gemm == [False]  # the product, then a pass of the update
    unfused, _ = run_steps(False, build, feeds)
    assert folded(plan)
    same(fused, unfused, 0)  # the ops' arithmetic in the ops' order: the same bits


def read_only(array):
    array.flags.writeable = False
    return array


@pytest.mark.parametrize("form", ["Fortran-ordered", "read-only"])
def test_fed_images_that_are_not_plain_arrays(form):
    """Images not C-ordered: the ops run one by one (the same bits as unfused). Read-only
    ones: gemm reads them as it reads any other."""
    rng = np.random.default_rng(3)
    make = np.asfortranarray if form == "Fortran-ordered" else read_only
    feeds = [(make(rng.standard_normal((5, 4))), rng.standard_normal((5, 8)))
             for _ in range(2)]
    build = lambda: regression(np.float64)  # noqa: E731
    fused, plan = run_steps(True, build, feeds)
    assert run_steps.gemm == [True]  # (a call that hands Fortran-ordered images on)
    unfused, _ = run_steps(False, build, feeds)
    assert folded(plan)
    same(fused, unfused, 0 if form == "Fortran-ordered" else RTOL[np.float64])


def test_the_kernel_refuses_overlapping_arrays_and_empty_sizes():
    gemm = blas.gemm(np.float64)
    assert gemm is not None  # numpy's wheels bundle OpenBLAS; this machine has one
    store = np.arange(24.0)
    a, c = store[:12].reshape(3, 4), store[8:20].reshape(4, 3)  # they overlap
    b = np.ones((3, 3))
    before = store.copy()
    assert not numba_impl.gemm_update(gemm, a, b, c, -1.0, 1.0)
    np.testing.assert_array_equal(store, before)
    assert not numba_impl.gemm_update(gemm, np.ones((0, 4)), np.ones((0, 3)), np.ones((4, 3)),
                                      -1.0, 1.0)
    c = np.ones((4, 3))
    assert numba_impl.gemm_update(gemm, a, b, c, -0.5, 2.0)
    np.testing.assert_allclose(c, 2.0 - 0.5 * a.T @ b)


def test_a_decay_too_small_for_gemms_beta_keeps_the_ops_arithmetic():
    """In float32, beta = 1 - lr * c rounds to 1 when lr * c < 3e-8 (the L2 term would be
    lost), and is 19 % off at 1e-7: such steps take the product and a pass, bit for bit."""
    rng = np.random.default_rng(4)
    feeds = [(rng.standard_normal((5, 4)).astype(np.float32),
              rng.standard_normal((5, 8)).astype(np.float32)) for _ in range(3)]
    for lr, l2 in [(1e-4, 1e-4), (1e-3, 1e-4)]:
        build = lambda: regression(np.float32, l2=l2, lr=lr)  # noqa: E731
        fused, plan = run_steps(True, build, feeds)
        assert folded(plan) and run_steps.gemm == [True]
        unfused, _ = run_steps(False, build, feeds)
        same(fused, unfused, 0)


def test_a_learning_rate_of_0_still_spreads_nan_as_the_ops_do():
    """With alpha 0 BLAS skips the product (on large ones), and with it the NaN that the
    ops give (W - 0 * inf)."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((256, 256)).astype(np.float32)
    x[0, 0] = np.inf
    feeds = [(x, rng.standard_normal((256, 256)).astype(np.float32))]

    def build():
        x = tf.placeholder(tf.float32, [None, 256])
        y = tf.placeholder(tf.float32, [None, 256])
        w = tf.Variable(tf.ones([256, 256]))
        b = tf.Variable(tf.zeros([256]))
        loss = tf.reduce_sum(tf.matmul(x, w) * y)
        return x, y, w, b, tf.train.GradientDescentOptimizer(0.0).minimize(loss)
    fused, plan = run_steps(True, build, feeds)
    assert folded(plan) and run_steps.gemm == [True]
    unfused, _ = run_steps(False, build, feeds)
    assert np.isnan(unfused[0][1][0]).sum() > 0
    np.testing.assert_array_equal(fused[0][1][0], unfused[0][1][0])


@pytest.mark.parametrize("columns", [3, 8])
def test_a_fed_read_of_the_weights_is_the_fed_value(columns):
    """Feeding W's read (its Identity) replaces W in the L2 term, as the ops compute it; the
    update then writes W from the fed value's gradient, not from W's own elements."""
    rng = np.random.default_rng(6)

    def build():
        x, y, w, b, train = regression(np.float64, l2=0.1, lr=0.5, columns=columns)
        return x, y, w, b, train
    outcomes = []
    for fusion_on in (True, False):
        tf.reset_default_graph()
        x, y, w, b, train = build()
        read = [op for op in tf.get_default_graph().get_operations()
                if op.type == "Identity" and op.inputs[0].op is w.op][0].outputs[0]
        with setting(fusion=fusion_on):
            sess = tf.Session()
            sess.run(tf.global_variables_initializer())
            feed = {x: rng.standard_normal((5, 4)), y: rng.standard_normal((5, columns)),
                    read: np.full((4, columns), 5.0)}
            sess.run(train, feed)
            outcomes.append(sess.run(w))
        rng = np.random.default_rng(6)
    np.testing.assert_allclose(outcomes[0], outcomes[1], rtol=1e-12)
