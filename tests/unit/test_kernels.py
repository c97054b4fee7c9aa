"""The numba kernels against their numpy reference twins, and the numba set-up rules."""
import os
import subprocess
import sys
import textwrap

import numpy as np
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from tests.conftest import PROJECT_ROOT
from tinygraph.kernels import NAMES, numba_impl as N, reference as R

FLOATS = st.sampled_from([np.float32, np.float64])
TOLERANCE = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}


@st.composite
def matrices(draw, dtype=None, low=-10.0, high=10.0):
    dtype = np.dtype(dtype or draw(FLOATS))
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12))
    x = draw(hnp.arrays(dtype, shape, elements=st.floats(low, high, width=32)))
    if draw(st.booleans()):  # also non-contiguous inputs
        x = np.asfortranarray(x)
    return x


def same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    tol = TOLERANCE.get(a.dtype, 0)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_every_kernel_has_both_twins():
    for name in NAMES:
        assert callable(getattr(N, name)) and callable(getattr(R, name))


@given(matrices(), st.data())
def test_sparse_xent(logits, data):
    labels = data.draw(hnp.arrays(np.int64, (logits.shape[0],),
                                  elements=st.integers(0, logits.shape[1] - 1)))
    got, want = N.sparse_xent(logits, labels), R.sparse_xent(logits, labels)
    same(got[0], want[0])
    same(got[1], want[1])
    assert got[2] == want[2] == -1
    assert got[0].dtype == logits.dtype  # float32 stays float32


def test_sparse_xent_is_stable_and_reports_the_first_bad_label():
    for impl in (N, R):
        loss, backprop, bad = impl.sparse_xent(np.array([[1e4, -1e4]], np.float32),
                                               np.array([1]))
        assert bad == -1 and loss[0] == 20000.0
        np.testing.assert_array_equal(backprop, [[1.0, -1.0]])
        assert impl.sparse_xent(np.zeros((3, 10), np.float32), np.array([3, 10, -1]))[2] == 1
        assert impl.sparse_xent(np.zeros((2, 10), np.float32), np.array([-1, 0]))[2] == 0


@given(matrices())
def test_sum_to_shape(grad):
    for shape in ((grad.shape[1],), (1, grad.shape[1]), (grad.shape[0], 1), grad.shape):
        same(N.sum_to_shape(grad, shape), R.sum_to_shape(grad, shape))


@given(matrices())
def test_relu_and_its_gradient(x):
    same(N.relu(x), R.relu(x))
    y = R.relu(x)
    same(N.relu_grad(x * 2, y), R.relu_grad(x * 2, y))
    assert N.relu_grad(np.ones(3, np.float32), np.zeros(3, np.float32)).sum() == 0  # relu'(0)


@given(matrices(low=-3, high=3).map(np.round))
def test_argmax_ties_go_to_the_lowest_index(x):
    for axis in (0, 1):
        got = N.argmax(np.ascontiguousarray(x), axis)
        np.testing.assert_array_equal(got, R.argmax(x, axis))
        assert got.dtype == np.int64
    np.testing.assert_array_equal(N.argmax(np.array([[1.0, 3, 3], [2, 2, 2]]), 1), [1, 0])


@given(hnp.arrays(np.int64, st.integers(0, 20), elements=st.integers(0, 3)), st.data())
def test_equal(x, data):
    y = data.draw(hnp.arrays(np.int64, x.shape, elements=st.integers(0, 3)))
    np.testing.assert_array_equal(N.equal(x, y), R.equal(x, y))


@given(matrices(), st.floats(0.001, 1.0))
def test_apply_gradient_descent_updates_in_place(var, alpha):
    var = np.ascontiguousarray(var)
    delta = var[::-1].copy()
    want = var - var.dtype.type(alpha) * delta
    numba_var, reference_var = var.copy(), var.copy()
    assert N.apply_gradient_descent(numba_var, np.array(alpha, var.dtype), delta) is numba_var
    R.apply_gradient_descent(reference_var, np.array(alpha, var.dtype), delta)
    same(numba_var, want)
    same(reference_var, want)


@given(matrices(), st.data())
def test_bias_add(x, data):
    bias = data.draw(hnp.arrays(x.dtype, (x.shape[1],), elements=st.floats(-5, 5, width=32)))
    same(N.bias_add(np.ascontiguousarray(x), bias), R.bias_add(x, bias))


# -- the numba set-up rules, each in a fresh interpreter --------------------------------------
def python(code, env=None):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=PROJECT_ROOT,
                          env=full_env, capture_output=True, text=True, timeout=300)


RELU_RUN = """
import tinygraph as tf
x = tf.placeholder(tf.float32, [None])
print(tf.Session().run(tf.nn.relu(x), {x: [1.0, -1.0]}))
from tinygraph import kernels
print(kernels.backend)
"""


def test_import_compiles_nothing():
    # numba itself may be loading in the background, but no kernel module is imported, so
    # nothing can have been compiled; with the reference kernels numba is not even imported.
    check = "import sys, tinygraph; print('tinygraph.kernels.numba_impl' in sys.modules)"
    out = python(check)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr
    out = python("import sys, tinygraph, time; time.sleep(1); print('numba' in sys.modules)",
                 {"TINYGRAPH_NUMBA": "0"})
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr


def test_reference_backend_switch():
    out = python(RELU_RUN, {"TINYGRAPH_NUMBA": "0"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[1.", "0.]", "reference"]


def test_missing_numba_falls_back_with_one_warning():
    out = python("import sys; sys.modules['numba'] = None\n" + RELU_RUN)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "reference"
    assert out.stderr.count("numba is not available") == 1


def test_no_writable_cache_falls_back_to_uncached_compilation():
    # No locator can cache (as in a read-only install with a read-only home): the kernels
    # still compile, and tinygraph warns once instead of failing at import.
    no_locators = ("import numba.core.caching as caching\n"
                   "caching.CacheImpl._locator_classes = []\n")
    out = python(no_locators + textwrap.dedent(RELU_RUN))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[1.", "0.]", "numba"]
    assert out.stderr.count("cannot cache compiled kernels") == 1


def test_cold_cache_says_so_once(tmp_path):
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    first, second = python(RELU_RUN, env), python(RELU_RUN, env)
    assert first.returncode == 0 and second.returncode == 0
    assert "compiling numba kernels" in first.stderr
    assert "compiling numba kernels" not in second.stderr


def test_backend_fixture_switches(backend):
    from tinygraph import kernels
    assert kernels.backend == backend
