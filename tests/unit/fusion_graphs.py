"""Random graphs of the ops that fuse, and running a graph fused or not (test_fusion.py).

A drawn ``Spec`` says what to build: the dtype, a base shape (its first axis possibly an
unknown batch dim, fed at several sizes), leaves (placeholders, and variables when the
run trains) each with a broadcast pattern over the base shape's trailing axes, and a list
of elementwise ops (and sums over the last axis, which end a group) over earlier values.
``build`` turns it into a graph: the ops, a tail ``relu(last + leaf)`` (so that at least
one group always fuses), the gradients of the tail's sum with respect to the placeholders
(ReluGrad, SumToShape, AddN, Neg ...) and, with variables, a GradientDescent step on that
sum plus an L2 term (a variable read inside its own fused update). Values are drawn from
a seed, away from zero where they divide. ``train_and_fetch`` runs it under a ``setting``.
"""
import collections
import contextlib
import os

import numpy as np
import pytest
from hypothesis import strategies as st

import tinygraph as tf
from tinygraph import fused_group, kernels

BINARY = ("add", "sub", "mul", "div")
UNARY = ("neg", "square", "relu", "scale", "sum")  # sum: a reduction that does not fuse
LEARNING_RATE = 0.05

Spec = collections.namedtuple(
    "Spec", "dtype dims batches feeds variables ops fetched seed")


def _pattern_of(patterns):
    """The broadcast pattern (a tuple of "full axis?" flags, right-aligned) of several."""
    rank = max(len(p) for p in patterns)
    padded = [(False,) * (rank - len(p)) + tuple(p) for p in patterns]
    return tuple(any(p[k] for p in padded) for k in range(rank))


@st.composite
def specs(draw, max_ops=5):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rank = draw(st.integers(0, 3))
    dims = draw(st.lists(st.sampled_from([1, 2, 3, 0]), min_size=rank, max_size=rank))
    unknown_batch = rank > 0 and draw(st.booleans())
    batches = draw(st.lists(st.sampled_from([1, 3, 2, 0]), min_size=2, max_size=3,
                            unique=True)) if unknown_batch else [None]

    def pattern(batch_axis_allowed):
        length = draw(st.integers(0, rank))
        flags = draw(st.lists(st.booleans(), min_size=length, max_size=length))
        if length == rank and rank and not batch_axis_allowed:
            flags[0] = False
        return tuple(flags)

    feeds = [pattern(True) for _ in range(draw(st.integers(1, 3)))]
    # A variable's shape is static: without the unknown batch axis.
    variables = [pattern(not unknown_batch) for _ in range(draw(st.integers(0, 2)))]
    leaves = feeds + variables
    pool = list(leaves)
    ops = []
    for _ in range(draw(st.integers(1, max_ops))):
        kind = draw(st.sampled_from(BINARY + UNARY + ("add_n",)))
        a = draw(st.integers(0, len(pool) - 1))
        if kind == "div":  # divide by a placeholder: its values stay away from zero
            args = (a, draw(st.integers(0, len(feeds) - 1)))
        elif kind in BINARY:
            args = (a, draw(st.integers(0, len(pool) - 1)))
        elif kind == "add_n":  # one shape: values of the same pattern
            same = [k for k, p in enumerate(pool) if p == pool[a]]
            args = (a,) + tuple(draw(st.lists(st.sampled_from(same), min_size=1, max_size=2)))
        else:
            args = (a,)
        pattern = _pattern_of([pool[k] for k in args])
        if kind == "sum":  # over the last axis, kept as 1
            if not pattern:
                kind = "neg"
            else:
                pattern = pattern[:-1] + (False,)
        ops.append((kind, args))
        pool.append(pattern)
    fetched = draw(st.lists(st.integers(len(leaves), len(pool) - 1), max_size=3, unique=True))
    return Spec(dtype, dims, batches, feeds, variables, ops, fetched,
                draw(st.integers(0, 2 ** 16)))


def shape_of(spec, pattern, batch, static=False):
    """The shape of a leaf of ``pattern`` when the batch dim is ``batch``."""
    rank = len(spec.dims)
    shape = []
    for k, full in enumerate(pattern):
        axis = rank - len(pattern) + k
        if not full:
            shape.append(1)
        elif axis == 0 and spec.batches != [None]:
            shape.append(None if static else batch)
        else:
            shape.append(spec.dims[axis])
    return shape


def _values(rng, shape, dtype):
    magnitude = rng.uniform(0.5, 1.5, size=shape)
    return (magnitude * rng.choice([-1.0, 1.0], size=shape)).astype(dtype)


Built = collections.namedtuple("Built", "feeds variables fetches train_op")


def build(spec):
    """The graph of ``spec`` in the default graph."""
    dtype = tf.as_dtype(spec.dtype)
    rng = np.random.RandomState(spec.seed)
    feeds = [tf.placeholder(dtype, shape_of(spec, p, None, static=True)) for p in spec.feeds]
    variables = [tf.Variable(_values(rng, shape_of(spec, p, None), spec.dtype))
                 for p in spec.variables]
    pool = feeds + [v.read_value() if k % 2 else v for k, v in enumerate(variables)]
    for kind, args in spec.ops:
        x = [pool[k] for k in args]
        value = {"add": lambda: x[0] + x[1], "sub": lambda: x[0] - x[1],
                 "mul": lambda: x[0] * x[1], "div": lambda: x[0] / x[1],
                 "neg": lambda: -x[0], "square": lambda: tf.square(x[0]),
                 "relu": lambda: tf.nn.relu(x[0]), "scale": lambda: x[0] * 0.5,
                 "sum": lambda: tf.reduce_sum(x[0], axis=-1, keepdims=True),
                 "add_n": lambda: tf.add_n(x)}[kind]()
        pool.append(tf.convert_to_tensor(value))
    tail = tf.nn.relu(pool[-1] + pool[0])
    loss = tf.reduce_sum(tail)
    grads = [g for g in tf.gradients(loss, feeds) if g is not None]
    train_op = None
    if variables:
        penalty = tf.nn.l2_loss(variables[0])
        for v in variables[1:]:
            penalty = penalty + tf.nn.l2_loss(v)
        train_op = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(
            loss + 0.01 * penalty)
    fetches = [tail] + grads + [pool[k] for k in spec.fetched]
    return Built(feeds, variables, fetches, train_op)


def feed_values(spec, built):
    """One feed dict per batch size."""
    rng = np.random.RandomState(spec.seed + 1)
    return [{p: _values(rng, shape_of(spec, pattern, batch), spec.dtype)
             for p, pattern in zip(built.feeds, spec.feeds)} for batch in spec.batches]


# -- running one graph fused, unfused, on the reference kernels ------------------------------
@contextlib.contextmanager
def setting(fusion=True, backend="numba"):
    """Plans compiled inside use these kernels, fused or not."""
    previous = kernels.backend or ("reference" if os.environ.get("TINYGRAPH_NUMBA") == "0"
                                   else "numba")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TINYGRAPH_FUSION", "1" if fusion else "0")
        mp.setattr(fused_group, "COMPILE_AFTER", 1)  # fused kernels from the first run
        kernels.use(backend)
        try:
            yield
        finally:
            kernels.use(previous)


def close(actual, expected, rtol, what=""):
    """Equal up to ``rtol`` of the largest magnitude in ``expected`` (NaNs in one place)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape and actual.dtype == expected.dtype, what
    finite = np.abs(expected[np.isfinite(expected)])
    scale = finite.max() if finite.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale,
                               equal_nan=True, err_msg=what)


def train_and_fetch(built, feeds, **how):
    """Per feed dict: the fetched values, then the variables after that step; the plan."""
    with setting(**how):
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        fetches = [built.fetches] + ([built.train_op] if built.train_op else [])
        plan = sess.describe_plan(fetches, feeds[0])
        results = []
        for feed in feeds:
            results.append(sess.run(fetches, feed)[0])
            results.append(sess.run(built.variables))
        return results, plan
