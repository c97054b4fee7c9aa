"""numba twins of ``reference.py``: same names, same signatures, same results.

Every kernel is compiled lazily on first call and cached on disk (``cache=True``), so
``import tinygraph`` compiles nothing. The public functions here validate and pick the
jitted fast path for the shapes it handles (2-D, C-contiguous, float32/float64), and
fall back to the numpy reference otherwise. Kernels that call each other must stay in
one file: numba's cache does not notice changes to callees in other files. The optimizers'
updates are in ``numba_updates.py`` and re-exported here.

Sizes: each public function checks the sizes it relies on (``checks.py``, shared with the
reference twins, so both raise the same error). Each jitted function checks them again
before its loop and returns a status instead of reading out of bounds: numba does not
check indices, so the loops must never see arrays whose sizes disagree.
"""
import glob
import os
import sys

import numpy as np

from . import checks, reference
from ._jit import jit
from ._numba_common import _FLOATS, _NUMBERS, _refused
from .numba_updates import (apply_adagrad, apply_adam,  # noqa: F401  (kernels.NAMES)
                            apply_centered_rms_prop, apply_momentum, apply_rms_prop)


@jit
def _sparse_xent(logits, labels, loss, backprop):
    n, k = logits.shape
    if (k == 0 or labels.shape[0] != n or loss.shape[0] != n or backprop.shape[0] != n
            or backprop.shape[1] != k):
        return -2  # refused: the sizes disagree
    for i in range(n):
        if labels[i] < 0 or labels[i] >= k:
            return i
    for i in range(n):
        row_max = logits[i, 0]
        for j in range(1, k):
            if logits[i, j] > row_max:
                row_max = logits[i, j]
        total = logits.dtype.type(0)
        for j in range(k):
            e = np.exp(logits[i, j] - row_max)
            backprop[i, j] = e
            total += e
        inv = logits.dtype.type(1) / total
        for j in range(k):
            backprop[i, j] *= inv
        label = labels[i]
        backprop[i, label] -= logits.dtype.type(1)
        loss[i] = np.log(total) - (logits[i, label] - row_max)
    return -1


def sparse_xent(logits, labels):
    checks.sparse_xent(logits, labels)
    if logits.dtype not in _FLOATS:
        return reference.sparse_xent(logits, labels)
    logits = np.ascontiguousarray(logits)
    labels = np.ascontiguousarray(labels)
    loss = np.empty(logits.shape[0], logits.dtype)
    backprop = np.empty_like(logits)
    bad = _sparse_xent(logits, labels, loss, backprop)
    if bad == -2:
        raise _refused()
    if bad >= 0:
        return None, None, bad
    return loss, backprop, -1


@jit
def bias_xent_scaled_into(z, bias, labels, scale, loss, backprop, with_loss):
    """_sparse_xent of z + bias (added in z's dtype, as the Add op does), then the
    backprop times ``scale``: the same arithmetic in the same order as the unfused ops
    (softmax, minus one at the label, times scale), in one pass per row after the sum.
    The loss is skipped when not ``with_loss``. Returns -1, or -2 for sizes that do not
    fit, or the first row whose label is out of range (nothing is computed then). The
    fusion pass calls it directly once it has checked the shapes (fused_kernels.py)."""
    n, k = z.shape
    if (k == 0 or bias.shape[0] != k or labels.shape[0] != n
            or (with_loss and loss.shape[0] != n)
            or backprop.shape[0] != n or backprop.shape[1] != k):
        return -2
    for i in range(n):
        if labels[i] < 0 or labels[i] >= k:
            return i
    one = z.dtype.type(1)
    for i in range(n):
        row_max = z[i, 0] + bias[0]
        for j in range(1, k):
            v = z[i, j] + bias[j]
            if v > row_max:
                row_max = v
        total = z.dtype.type(0)
        for j in range(k):
            e = np.exp((z[i, j] + bias[j]) - row_max)
            backprop[i, j] = e
            total += e
        inv = one / total
        label = labels[i]
        at_label = backprop[i, label] * inv - one
        for j in range(k):  # no branch in the loop, so that it vectorizes
            backprop[i, j] = scale * (backprop[i, j] * inv)
        backprop[i, label] = scale * at_label
        if with_loss:
            loss[i] = np.log(total) - ((z[i, label] + bias[label]) - row_max)
    return -1


def bias_sparse_xent_scaled(z, bias, labels, scale, with_loss=True):
    checks.sparse_xent(z, labels)
    checks.bias_add(z, bias)
    if z.dtype not in _FLOATS or bias.dtype != z.dtype:
        return reference.bias_sparse_xent_scaled(z, bias, labels, scale, with_loss)
    loss = np.empty(z.shape[0] if with_loss else 0, z.dtype)
    backprop = np.empty_like(z)
    bad = bias_xent_scaled_into(z, bias, labels, z.dtype.type(scale), loss, backprop,
                                bool(with_loss))
    if bad == -2:
        raise _refused()
    if bad >= 0:
        return None, None, bad
    return loss, backprop, -1


@jit
def _column_sum(grad, out):
    n, k = grad.shape
    if out.shape[0] != k:
        return False
    for j in range(k):
        out[j] = grad.dtype.type(0)
    for i in range(n):
        for j in range(k):
            out[j] += grad[i, j]
    return True


def sum_to_shape(grad, shape):
    if grad.shape == shape:
        return grad
    if (grad.ndim == 2 and len(shape) == 1 and shape[0] == grad.shape[1]
            and grad.dtype in _FLOATS and grad.flags.c_contiguous):
        out = np.empty(shape, grad.dtype)
        if not _column_sum(grad, out):
            raise _refused()
        return out
    return reference.sum_to_shape(grad, shape)  # which checks the shapes


@jit
def _relu(x, out):
    if out.size != x.size:
        return False
    zero = x.dtype.type(0)
    for i in range(x.size):
        out[i] = zero if x[i] <= zero else x[i]  # NaN passes through, as in np.maximum
    return True


def relu(x):
    if x.dtype not in _FLOATS or not x.flags.c_contiguous:
        return reference.relu(x)
    out = np.empty_like(x)
    if not _relu(x.reshape(-1), out.reshape(-1)):
        raise _refused()
    return out


@jit
def _relu_grad(grad, y, out):
    if y.size != grad.size or out.size != grad.size:
        return False
    zero = grad.dtype.type(0)
    one = grad.dtype.type(1)
    for i in range(grad.size):
        out[i] = grad[i] * (one if y[i] > zero else zero)  # NaN * 0 is NaN, as in TF1
    return True


def relu_grad(grad, y, name="ReluGrad"):
    checks.same_shape("ReluGrad", name, grad, y)
    if (grad.dtype != y.dtype or grad.dtype not in _FLOATS
            or not (grad.flags.c_contiguous and y.flags.c_contiguous)):
        return reference.relu_grad(grad, y, name)
    out = np.empty_like(grad)
    if not _relu_grad(grad.reshape(-1), y.reshape(-1), out.reshape(-1)):
        raise _refused()
    return out


@jit
def _argmax_rows(x, out):
    n, k = x.shape
    if k == 0 or out.shape[0] != n:
        return False
    for i in range(n):
        best = 0
        for j in range(1, k):
            # NaN counts as the largest value and the first NaN wins, as in numpy.
            if x[i, j] > x[i, best] or (x[i, j] != x[i, j] and x[i, best] == x[i, best]):
                best = j
        out[i] = best
    return True


def argmax(x, axis):
    checks.argmax(x, axis)
    if x.ndim != 2 or axis not in (1, -1) or not x.flags.c_contiguous \
            or x.dtype not in _NUMBERS:
        return reference.argmax(x, axis)
    out = np.empty(x.shape[0], np.int64)
    if not _argmax_rows(x, out):
        raise _refused()
    return out


@jit
def _equal_1d(x, y, out):
    if y.size != x.size or out.size != x.size:
        return False
    for i in range(x.size):
        out[i] = x[i] == y[i]
    return True


def equal(x, y):
    if x.shape != y.shape or x.ndim != 1 or x.dtype != y.dtype \
            or x.dtype not in _NUMBERS + (np.dtype(np.bool_),):
        return reference.equal(x, y)  # which broadcasts, or raises TF1's error
    out = np.empty(x.shape, np.bool_)
    if not _equal_1d(x, y, out):
        raise _refused()
    return out


@jit
def _axpy_inplace(var, alpha, delta):
    if delta.size != var.size:
        return False
    for i in range(var.size):
        var[i] -= alpha * delta[i]
    return True


@jit
def _decay_axpy_inplace(var, alpha, delta, c):
    """var -= alpha * (delta + var * c): a weight's update with an L2 term, with the ops'
    arithmetic in the ops' order (Mul, AddN, ApplyGradientDescent; fused_gemm.py)."""
    if delta.size != var.size:
        return False
    for i in range(var.size):
        var[i] = var[i] - alpha * (delta[i] + var[i] * c)
    return True


def apply_gradient_descent(var, alpha, delta):
    checks.apply_gradient_descent(var, alpha, delta)
    if (var.dtype not in _FLOATS or delta.dtype != var.dtype
            or not (var.flags.c_contiguous and delta.flags.c_contiguous)):
        return reference.apply_gradient_descent(var, alpha, delta)
    if not _axpy_inplace(var.reshape(-1), var.dtype.type(alpha), delta.reshape(-1)):
        raise _refused()
    return var


@jit
def _overlap(x, y):
    """The memory of x and y overlaps (their first to last bytes, as C-ordered arrays)."""
    return x.ctypes.data < y.ctypes.data + y.size * y.itemsize and \
        y.ctypes.data < x.ctypes.data + x.size * x.itemsize


@jit
def gemm_update(gemm, a, b, c, alpha, beta):
    """c = alpha * a^T @ b + beta * c, in place, through BLAS's ``gemm`` (a ctypes function
    from ``blas.py``, passed in so that the compiled code stays cacheable): a (k, m),
    b (k, n) and c (m, n), C-contiguous, one dtype. Returns False, computing nothing, when
    the sizes disagree, one is 0 (BLAS refuses a leading dimension of 0), or c overlaps a
    or b (BLAS would read what it has written). The fused update calls it (fused_gemm.py)."""
    k, m = a.shape
    n = b.shape[1]
    if b.shape[0] != k or c.shape[0] != m or c.shape[1] != n or k == 0 or m == 0 or n == 0:
        return False
    if _overlap(c, a) or _overlap(c, b):
        return False
    gemm(101, 112, 111, m, n, k, alpha, a.ctypes.data, m, b.ctypes.data, n, beta,
         c.ctypes.data, n)  # row-major, a transposed, b as it is
    return True


@jit
def _bias_add(x, bias, out):
    n, k = x.shape
    if bias.shape[0] != k or out.shape[0] != n or out.shape[1] != k:
        return False
    for i in range(n):
        for j in range(k):
            out[i, j] = x[i, j] + bias[j]
    return True


def bias_add(x, bias):
    checks.bias_add(x, bias)
    if (x.ndim != 2 or x.dtype != bias.dtype or x.dtype not in _FLOATS
            or not x.flags.c_contiguous):
        return reference.bias_add(x, bias)
    out = np.empty_like(x)
    if not _bias_add(x, bias, out):
        raise _refused()
    return out


def _say_if_cold():
    """One line on stderr when this machine has no compiled kernels cached yet."""
    try:
        cache_dir = _sparse_xent._cache._cache_path  # numba internals: guard them
    except AttributeError:
        return
    if not glob.glob(os.path.join(glob.escape(cache_dir), "numba_impl.*.nbi")):
        sys.stderr.write("tinygraph: compiling numba kernels for this machine (first run "
                         "only; later runs load them from the cache)\n")


_say_if_cold()
