"""float16 in the optimizers' updates, as TF1's CPU kernels take it (training_ops.cc registers
half for every Apply* op).

The kernels compute in the variable's dtype, one rounding per operation as Eigen's half
arithmetic does, so a float16 update is compared with the same formula computed in float64
from the same float16 inputs. Tolerance, stated once: the difference is at most 3 float16
ulps of the values' magnitude (3 * 2**-10 * ``scale``, the largest of 1, the old value, the
new value and the step), which covers the ~6 roundings in each formula. Both kernel
backends run every case (the numba twin hands float16 to the reference kernel).
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinygraph as tf
from tinygraph.ops import state_ops, training_ops

EPS16 = 2.0 ** -10  # float16's ulp at 1
ULPS = 3  # the largest seen over 3000 examples (HYPOTHESIS_PROFILE=dev) is 1.1


def _half(low, high):
    return st.floats(low, high).map(np.float16)


def _arrays(draw, n, low, high):
    return np.array(draw(st.lists(_half(low, high), min_size=n, max_size=n)), np.float16)


# -- the TF1 formulas in float64 (training_ops.cc), written independently of the kernels -----
def _momentum(var, accum, lr, grad, momentum, nesterov):
    accum = accum * momentum + grad
    step = grad * lr + accum * momentum * lr if nesterov else accum * lr
    return var - step, [accum], step


def _adam(var, m, v, b1p, b2p, lr, b1, b2, eps, grad):
    alpha = lr * np.sqrt(1 - b2p) / (1 - b1p)
    m = m + (grad - m) * (1 - b1)
    v = v + (grad * grad - v) * (1 - b2)
    step = m * alpha / (np.sqrt(v) + eps)
    return var - step, [m, v], step


def _adagrad(var, accum, lr, grad):
    accum = accum + grad * grad
    step = grad * lr / np.sqrt(accum)
    return var - step, [accum], step


def _rms_prop(var, ms, mom, lr, rho, momentum, eps, grad):
    ms = ms + (grad * grad - ms) * (1 - rho)
    mom = mom * momentum + grad * lr / np.sqrt(ms + eps)
    return var - mom, [ms, mom], mom


def _centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, eps, grad):
    ms = ms + (grad * grad - ms) * (1 - rho)
    mg = mg + (grad - mg) * (1 - rho)
    mom = mom * momentum + grad * lr / np.sqrt(ms - mg * mg + eps)
    return var - mom, [mg, ms, mom], mom


@st.composite
def updates(draw, name):
    """(op builder args: var, slots, scalars in TF1's order, grad) and the float64 oracle."""
    n = draw(st.integers(1, 5))
    var, grad = _arrays(draw, n, -4, 4), _arrays(draw, n, -2, 2)
    lr = draw(_half(0.01, 0.5))
    if name == "GradientDescent":
        return var, [], [lr], grad, lambda v, s, c, g: (v - c[0] * g, [], c[0] * g)
    if name in ("Momentum", "Nesterov"):
        scalars = [lr, draw(_half(0.0, 0.99))]
        return var, [_arrays(draw, n, -2, 2)], scalars, grad, lambda v, s, c, g: _momentum(
            v, s[0], c[0], g, c[1], name == "Nesterov")
    if name == "Adam":
        b1, b2 = draw(_half(0.5, 0.9)), draw(_half(0.9, 0.999))
        t = draw(st.integers(1, 5))
        scalars = [np.float16(b1 ** t), np.float16(b2 ** t), lr, b1, b2, draw(_half(0.01, 0.1))]
        slots = [_arrays(draw, n, -1, 1), _arrays(draw, n, 0, 2)]
        return var, slots, scalars, grad, lambda v, s, c, g: _adam(v, *s, *c, g)
    if name == "Adagrad":
        return var, [_arrays(draw, n, 0.1, 4)], [lr], grad, lambda v, s, c, g: _adagrad(
            v, s[0], c[0], g)
    scalars = [lr, draw(_half(0.5, 0.99)), draw(_half(0.0, 0.9)), draw(_half(0.1, 1.0))]
    ms, mom = _arrays(draw, n, 0, 4), _arrays(draw, n, -1, 1)
    if name == "RMSProp":
        return var, [ms, mom], scalars, grad, lambda v, s, c, g: _rms_prop(v, *s, *c, g)
    mg = _arrays(draw, n, -1, 1)  # ms >= mg^2 + 1: the variance stays away from 0
    ms = (mg.astype(np.float64) ** 2 + 1 + ms).astype(np.float16)
    return var, [mg, ms, mom], scalars, grad, lambda v, s, c, g: _centered_rms_prop(
        v, *s, *c, g)


def _build(name, var, slots, scalars, grad):
    if name == "GradientDescent":
        return state_ops.apply_gradient_descent(var, scalars[0], grad)
    if name in ("Momentum", "Nesterov"):
        return training_ops.apply_momentum(var, slots[0], scalars[0], grad, scalars[1],
                                           name == "Nesterov")
    builder = {"Adam": training_ops.apply_adam, "Adagrad": training_ops.apply_adagrad,
               "RMSProp": training_ops.apply_rms_prop,
               "CenteredRMSProp": training_ops.apply_centered_rms_prop}[name]
    return builder(var, *slots, *scalars, grad)


NAMES = ("GradientDescent", "Momentum", "Nesterov", "Adam", "Adagrad", "RMSProp",
         "CenteredRMSProp")


@pytest.mark.parametrize("name", NAMES)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_float16_updates_follow_tf1s_formulas(backend, name, data):
    var0, slots0, scalars, grad, oracle = data.draw(updates(name))
    with tf.Graph().as_default():
        var = tf.Variable(var0)
        slots = [tf.Variable(s) for s in slots0]
        update = _build(name, var._ref, [s._ref for s in slots],
                        [tf.constant(c, tf.float16) for c in scalars],
                        tf.constant(grad, tf.float16))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(update)
            got = sess.run([var] + slots)
    wide = [np.float64(c) for c in scalars]
    want_var, want_slots, step = oracle(var0.astype(np.float64),
                                        [s.astype(np.float64) for s in slots0], wide,
                                        grad.astype(np.float64))
    for value, want, old in zip(got, [want_var] + want_slots, [var0] + slots0):
        assert value.dtype == np.float16
        scale = np.maximum.reduce([np.abs(want), np.abs(old), np.abs(step), np.ones_like(want)])
        assert (np.abs(value - want) <= ULPS * EPS16 * scale).all(), (name, value, want)


def test_the_optimizers_train_float16_variables():
    """Every optimizer minimizes a float16 loss: slots are float16, and the loss falls."""
    optimizers = [tf.train.GradientDescentOptimizer(0.05),
                  tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True),
                  tf.train.AdamOptimizer(0.05, epsilon=1e-3), tf.train.AdagradOptimizer(0.2),
                  tf.train.RMSPropOptimizer(0.05, epsilon=1e-3, centered=True)]
    for optimizer in optimizers:
        with tf.Graph().as_default():
            w = tf.Variable(np.array([1.0, -2.0], np.float16))
            loss = tf.reduce_sum(tf.square(w - tf.constant([0.5, 0.25], tf.float16)))
            train = optimizer.minimize(loss)
            slots = [v for v in tf.global_variables() if v is not w and "power" not in v.name]
            assert all(v.dtype.base_dtype == tf.float16 for v in slots)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                first = sess.run(loss)
                for _ in range(20):
                    sess.run(train)
                last = sess.run(loss)
        assert last.dtype == np.float16 and last < first / 2, (type(optimizer).__name__, last)
