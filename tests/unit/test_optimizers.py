"""Momentum, Adam, Adagrad and RMSProp against numpy written from TF1's formulas.

Each optimizer runs several steps on a variable with gradients fed through a placeholder
(so the gradient is exactly the fed array); the variable and every slot must equal, bit for
bit, what the formulas of TF1's training_ops give in the variable's dtype, on both kernel
backends. Then: slot names and collections, the global step, and all-or-nothing writes.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tinygraph as tf
from tinygraph import errors

STEPS = 4
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
rates = st.sampled_from([0.001, 0.01, 0.1, 0.5, 1.0])
dtypes = st.sampled_from([np.float32, np.float64])


# -- numpy twins of TF1's formulas (training_ops.cc), one step each ---------------------------
def momentum_step(var, slots, g, t, lr, momentum, nesterov):
    (accum,) = slots
    accum[...] = accum * t(momentum) + g
    if nesterov:
        var -= g * t(lr) + accum * t(momentum) * t(lr)
    else:
        var -= accum * t(lr)


def adam_step(var, slots, g, t, lr, beta1, beta2, eps, powers):
    m, v = slots
    b1p, b2p = t(powers[0]), t(powers[1])  # float32 variables, cast to the var's dtype
    alpha = t(lr) * np.sqrt(t(1) - b2p) / (t(1) - b1p)
    m += (g - m) * (t(1) - t(beta1))
    v += (g * g - v) * (t(1) - t(beta2))
    var -= m * alpha / (np.sqrt(v) + t(eps))
    powers[0] = np.float32(powers[0] * np.float32(beta1))
    powers[1] = np.float32(powers[1] * np.float32(beta2))


def adagrad_step(var, slots, g, t, lr):
    (accum,) = slots
    accum += g * g
    var -= g * t(lr) * (t(1) / np.sqrt(accum))


def rmsprop_step(var, slots, g, t, lr, decay, momentum, eps, centered):
    if centered:
        ms, mg, mom = slots
    else:
        ms, mom = slots
    ms += (g * g - ms) * (t(1) - t(decay))
    if centered:
        mg += (g - mg) * (t(1) - t(decay))
        denom = (ms - mg * mg) + t(eps)
    else:
        denom = ms + t(eps)
    mom[...] = mom * t(momentum) + g * t(lr) / np.sqrt(denom)
    var -= mom


# Each case: the optimizer, its slot names in TF1's creation order, their initial values,
# and the numpy step.
def cases(lr):
    powers = [np.float32(0.9), np.float32(0.999)]  # beta1^t, beta2^t: kept across steps
    powers_eps = [np.float32(0.8), np.float32(0.99)]
    return {
        "momentum": (tf.train.MomentumOptimizer(lr, 0.9), ["momentum"], [0.0],
                     lambda *a: momentum_step(*a, lr, 0.9, False)),
        "nesterov": (tf.train.MomentumOptimizer(lr, 0.5, use_nesterov=True), ["momentum"],
                     [0.0], lambda *a: momentum_step(*a, lr, 0.5, True)),
        "adam": (tf.train.AdamOptimizer(lr), ["m", "v"], [0.0, 0.0],
                 lambda *a: adam_step(*a, lr, 0.9, 0.999, 1e-8, powers)),
        "adam_eps": (tf.train.AdamOptimizer(lr, 0.8, 0.99, 0.1), ["m", "v"], [0.0, 0.0],
                     lambda *a: adam_step(*a, lr, 0.8, 0.99, 0.1, powers_eps)),
        "adagrad": (tf.train.AdagradOptimizer(lr), ["accumulator"], [0.1],
                    lambda *a: adagrad_step(*a, lr)),
        "rmsprop": (tf.train.RMSPropOptimizer(lr), ["rms", "momentum"], [1.0, 0.0],
                    lambda *a: rmsprop_step(*a, lr, 0.9, 0.0, 1e-10, False)),
        "rmsprop_momentum": (tf.train.RMSPropOptimizer(lr, 0.8, 0.7, 1e-3),
                             ["rms", "momentum"], [1.0, 0.0],
                             lambda *a: rmsprop_step(*a, lr, 0.8, 0.7, 1e-3, False)),
        "rmsprop_centered": (tf.train.RMSPropOptimizer(lr, 0.9, 0.5, 1e-2, centered=True),
                             ["rms", "mg", "momentum"], [1.0, 0.0, 0.0],
                             lambda *a: rmsprop_step(*a, lr, 0.9, 0.5, 1e-2, True)),
    }


NAMES = sorted(cases(0.1))


@pytest.mark.parametrize("case", NAMES)
@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=shapes, lr=rates, dtype=dtypes, data=st.data())
def test_updates_equal_tf1s_formulas_bit_for_bit(case, shape, lr, dtype, data, backend):
    tf.reset_default_graph()
    optimizer, slot_names, initial, step = cases(lr)[case]
    elements = st.floats(-3, 3, width=32)
    start = data.draw(hnp.arrays(dtype, shape, elements=elements))
    grads = [data.draw(hnp.arrays(dtype, shape, elements=elements)) for _ in range(STEPS)]
    var = tf.Variable(start, name="weights")
    g = tf.placeholder(dtype, shape)
    train = optimizer.apply_gradients([(g, var)])
    slots = [optimizer.get_slot(var, name) for name in slot_names]
    expected_var = start.copy()
    expected_slots = [np.full(shape, value, dtype) for value in initial]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for grad in grads:
            sess.run(train, {g: grad})
            with np.errstate(all="ignore"):
                step(expected_var, expected_slots, grad, dtype)
        got = sess.run([var] + slots)
    np.testing.assert_array_equal(got[0], expected_var)
    for name, value, expected in zip(slot_names, got[1:], expected_slots):
        np.testing.assert_array_equal(value, expected, err_msg=name)
    assert got[0].dtype == dtype


@pytest.mark.parametrize("case,names", [
    ("momentum", ["weights/Momentum:0", "biases/Momentum:0"]),
    ("adam", ["beta1_power:0", "beta2_power:0", "weights/Adam:0", "weights/Adam_1:0",
              "biases/Adam:0", "biases/Adam_1:0"]),
    ("adagrad", ["weights/Adagrad:0", "biases/Adagrad:0"]),
    ("rmsprop", ["weights/RMSProp:0", "weights/RMSProp_1:0", "biases/RMSProp:0",
                 "biases/RMSProp_1:0"]),
    ("rmsprop_centered", ["weights/RMSProp:0", "weights/RMSProp_1:0", "weights/RMSProp_2:0",
                          "biases/RMSProp:0", "biases/RMSProp_1:0", "biases/RMSProp_2:0"]),
])
def test_slots_are_named_as_in_tf1_global_and_not_trainable(case, names):
    optimizer = cases(0.1)[case][0]
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(tf.zeros([3, 2]), name="weights")
    b = tf.Variable(tf.zeros([2]), name="biases")
    step = tf.Variable(0, name="global_step", trainable=False)
    loss = tf.reduce_mean(tf.matmul(x, w) + b)
    train = optimizer.minimize(loss, global_step=step)
    assert [v.name for v in tf.global_variables()] == ["weights:0", "biases:0",
                                                        "global_step:0"] + names
    assert [v.name for v in tf.trainable_variables()] == ["weights:0", "biases:0"]
    assert [v.name for v in optimizer.variables()] == names
    assert train.type == "AssignAdd" and train.name == optimizer.get_name()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(3):
            sess.run(train, {x: np.ones((2, 3), np.float32)})
        assert sess.run(step) == 3  # one increment per step, after the updates
        if case == "adam":
            np.testing.assert_array_equal(
                sess.run(["beta1_power:0", "beta2_power:0"]),
                [np.float32(np.float32(np.float32(0.9) * np.float32(0.9)) * np.float32(0.9))
                 * np.float32(0.9),
                 np.float32(np.float32(np.float32(0.999) * np.float32(0.999))
                            * np.float32(0.999)) * np.float32(0.999)])


def test_minimize_twice_reuses_the_slots_and_the_beta_powers():
    w = tf.Variable([1.0, 2.0], name="w")
    optimizer = tf.train.AdamOptimizer(0.1)
    optimizer.minimize(tf.reduce_sum(w * w))
    optimizer.minimize(tf.reduce_sum(w))
    assert [v.name for v in tf.global_variables()] == ["w:0", "beta1_power:0",
                                                        "beta2_power:0", "w/Adam:0",
                                                        "w/Adam_1:0"]
    assert optimizer.get_slot_names() == ["m", "v"]


def test_a_slot_fetched_with_the_update_is_its_value_before_the_update(backend):
    w = tf.Variable([1.0, 2.0], name="w")
    optimizer = tf.train.MomentumOptimizer(1.0, 0.5)
    train = optimizer.minimize(tf.reduce_sum(w * w))
    accum = optimizer.get_slot(w, "momentum")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before, _ = sess.run([accum, train])
        np.testing.assert_array_equal(before, [0.0, 0.0])
        np.testing.assert_array_equal(sess.run(accum), [2.0, 4.0])


def test_a_learning_rate_tensor_and_exponential_decay_drive_the_update():
    w = tf.Variable([1.0], name="w")
    lr = tf.placeholder(tf.float32, [])
    train = tf.train.MomentumOptimizer(lr, 0.0).minimize(tf.reduce_sum(w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {lr: 0.25})
        np.testing.assert_array_equal(sess.run(w), [0.75])


@pytest.mark.parametrize("case", NAMES)
def test_a_failing_step_changes_neither_the_variable_nor_its_slots(case, backend):
    optimizer = cases(0.1)[case][0]
    x = tf.placeholder(tf.float32, [None, 3])
    labels = tf.placeholder(tf.int64, [None])
    w = tf.Variable(np.ones((3, 4), np.float32), name="weights")
    step = tf.train.get_or_create_global_step()
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=tf.matmul(x, w)))
    train = optimizer.minimize(loss, global_step=step)
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: data, labels: [0, 1]})
        before = sess.run(tf.global_variables())
        with pytest.raises(errors.InvalidArgumentError, match="label value of 9"):
            sess.run(train, {x: data, labels: [0, 9]})
        for old, new in zip(before, sess.run(tf.global_variables())):
            np.testing.assert_array_equal(old, new)


def test_an_uninitialized_slot_refuses_the_whole_step():
    w = tf.Variable([1.0, 2.0], name="w")
    v = tf.Variable([3.0], name="v")
    optimizer = tf.train.AdamOptimizer(0.1)
    train = optimizer.minimize(tf.reduce_sum(w * w) + tf.reduce_sum(v))
    with tf.Session() as sess:
        sess.run([w.initializer, v.initializer, optimizer.get_slot(w, "m").initializer,
                  optimizer.get_slot(w, "v").initializer, "beta1_power/Assign",
                  "beta2_power/Assign", optimizer.get_slot(v, "m").initializer])
        with pytest.raises(errors.FailedPreconditionError, match="v/Adam_1"):
            sess.run(train)
        np.testing.assert_array_equal(sess.run(w), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(optimizer.get_slot(w, "m")), [0.0, 0.0])
        np.testing.assert_array_equal(sess.run("beta1_power:0"), np.float32(0.9))


def test_hyperparameters_are_checked():
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
    w = tf.Variable([1.0])
    with pytest.raises(ValueError, match="rank 0"):
        tf.train.MomentumOptimizer([0.1, 0.2], 0.9).minimize(tf.reduce_sum(w))


def test_adams_beta_power_assigns_are_checked_with_the_updates_before_any_lands():
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.Variable([3.0], name="b")
    train = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(w * w) + tf.reduce_sum(b))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        plan = list(sess._plans.values())[-1]
        checks = [fn.writes for fn, _, _, _ in plan.steps if hasattr(fn, "writes")]
    assert [[op.name for op in writes] for writes in checks] == [[
        "Adam/update_w/ApplyAdam", "Adam/update_b/ApplyAdam", "Adam/Assign", "Adam/Assign_1"]]


def test_slots_and_beta_powers_are_saved_and_restored_so_training_resumes(tmp_path):
    def build():
        tf.reset_default_graph()
        w = tf.Variable([1.0, -2.0], name="weights")
        train = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(w * w))
        return w, train, tf.train.Saver()

    w, train, saver = build()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        path = saver.save(sess, str(tmp_path / "ckpt"))
        sess.run(train)
        want = sess.run(w)
    names = [name for name, _ in tf.train.list_variables(path)]
    assert sorted(names) == ["beta1_power", "beta2_power", "weights", "weights/Adam",
                             "weights/Adam_1"]
    w, train, saver = build()
    with tf.Session() as sess:
        saver.restore(sess, path)
        sess.run(train)
        np.testing.assert_array_equal(sess.run(w), want)


# -- gradients that TF1 passes as IndexedSlices: only the rows looked up move ----------------
@pytest.mark.parametrize("make, slot_names, step", [
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9), ["momentum"],
     lambda v, s, g: momentum_step(v, s, g, np.float32, 0.1, 0.9, False)),
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True), ["momentum"],
     lambda v, s, g: momentum_step(v, s, g, np.float32, 0.1, 0.9, True)),
    (lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5), ["rms", "momentum"],
     lambda v, s, g: rmsprop_step(v, s, g, np.float32, 0.1, 0.9, 0.5, 1e-10, False)),
    (lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
     ["rms", "mg", "momentum"],
     lambda v, s, g: rmsprop_step(v, s, g, np.float32, 0.1, 0.9, 0.5, 1e-10, True)),
])
def test_a_gathered_variable_updates_only_the_rows_looked_up(make, slot_names, step, backend):
    start = np.array([[1.0, -1.0], [0.5, 2.0], [3.0, 0.0]], np.float32)
    w = tf.Variable(start)
    ids = tf.placeholder(tf.int32, [None])
    loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(w, ids) - 3.0)) + tf.reduce_sum(
        tf.gather(w, ids))
    optimizer = make()
    train = optimizer.minimize(loss)
    assert train.control_inputs[0].type.startswith("SparseApply")
    var = start.copy()
    slots = [np.full_like(start, 1.0 if name == "rms" else 0.0) for name in slot_names]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for rows in ([0, 0], [1], [2, 0]):
            sess.run(train, {ids: rows})
            grad = np.zeros_like(var)
            for r in rows:  # the dense gradient, duplicates summed
                grad[r] += 2.0 * (var[r] - 3.0) + 1.0
            picked = np.unique(rows)
            part_var, part_slots = var[picked], [s[picked] for s in slots]
            step(part_var, part_slots, grad[picked])
            var[picked] = part_var
            for s, part in zip(slots, part_slots):
                s[picked] = part
            np.testing.assert_allclose(sess.run(w), var, rtol=1e-5)
            for name, want in zip(slot_names, slots):
                np.testing.assert_allclose(sess.run(optimizer.get_slot(w, name)), want,
                                           rtol=1e-5, atol=1e-7)


def test_a_sparse_update_checks_its_indices_before_anything_lands():
    w = tf.Variable([[1.0], [2.0]])
    optimizer = tf.train.MomentumOptimizer(0.1, 0.9)
    accum = optimizer._slot(w, "momentum", 0, "Momentum")
    from tinygraph.ops import training_ops
    update = training_ops.sparse_apply_momentum(w._ref, accum._ref, tf.constant(0.1),
                                                tf.ones([2, 1]), tf.constant(0.9), [2])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(errors.InvalidArgumentError, match="Index 2 at offset 0 in indices "
                                                              "is out of range"):
            sess.run(update)
        assert sess.run(w).tolist() == [[1.0], [2.0]]
