"""numba twins of ``reference.py``: same names, same signatures, same results.

Every kernel is compiled lazily on first call and cached on disk (``cache=True``), so
``import tinygraph`` compiles nothing. The public functions here validate and pick the
jitted fast path for the shapes it handles (2-D, C-contiguous, float32/float64), and
fall back to the numpy reference otherwise. Kernels that call each other must stay in
this one file: numba's cache does not notice changes to callees in other files.

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


# The dtypes the jitted paths take; others (float16, int8, int16, uint8, strings) go to
# the numpy reference: numba has no float16 arithmetic, and no object arrays.
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_NUMBERS = _FLOATS + (np.dtype(np.int32), np.dtype(np.int64))


def _refused():
    """A jitted kernel refused sizes that its wrapper had checked: a tinygraph bug."""
    return RuntimeError("a numba kernel refused the sizes of its arguments")


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
def _bias_xent_scaled(z, bias, labels, scale, loss, backprop, with_loss):
    """_sparse_xent of z + bias (added in z's dtype, as the Add op does), then the
    backprop times ``scale``: the same arithmetic in the same order as the unfused ops
    (softmax, minus one at the label, times scale), in one pass per row after the sum.
    The loss is skipped when not ``with_loss``."""
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
        for j in range(k):
            p = backprop[i, j] * inv
            if j == label:
                p -= one
            backprop[i, j] = scale * p
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
    bad = _bias_xent_scaled(z, bias, labels, z.dtype.type(scale), loss, backprop,
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


def apply_gradient_descent(var, alpha, delta):
    checks.apply_gradient_descent(var, alpha, delta)
    if (var.dtype not in _FLOATS or delta.dtype != var.dtype
            or not (var.flags.c_contiguous and delta.flags.c_contiguous)):
        return reference.apply_gradient_descent(var, alpha, delta)
    if not _axpy_inplace(var.reshape(-1), var.dtype.type(alpha), delta.reshape(-1)):
        raise _refused()
    return var


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


# -- optimizer updates: one pass over the variable and its slots (reference.py has the
# formulas). The wrappers pass flat C-contiguous arrays of one float dtype and scalars of it.
def _flat_update(var, arrays):
    """The flat views the jitted updates need, or None to use the reference twin."""
    if var.dtype not in _FLOATS or not var.flags.c_contiguous:
        return None
    flat = [var.reshape(-1)]
    for a in arrays:
        if a.dtype != var.dtype:
            return None
        flat.append(np.ascontiguousarray(a).reshape(-1))
    if any(not a.flags.c_contiguous for a in arrays[:-1]):  # slots are written in place
        return None
    return flat


@jit
def _momentum(var, accum, grad, lr, momentum, use_nesterov):
    if accum.size != var.size or grad.size != var.size:
        return False
    for i in range(var.size):
        a = accum[i] * momentum + grad[i]
        accum[i] = a
        if use_nesterov:
            var[i] -= grad[i] * lr + a * momentum * lr
        else:
            var[i] -= a * lr
    return True


def apply_momentum(var, accum, lr, grad, momentum, use_nesterov=False):
    checks.apply_update([("lr", lr), ("momentum", momentum)], var, [("accum", accum)], grad)
    flat = _flat_update(var, [accum, grad])
    if flat is None:
        return reference.apply_momentum(var, accum, lr, grad, momentum, use_nesterov)
    t = var.dtype.type
    if not _momentum(*flat, t(lr), t(momentum), bool(use_nesterov)):
        raise _refused()
    return var


@jit
def _adam(var, m, v, grad, alpha, beta1, beta2, epsilon):
    if m.size != var.size or v.size != var.size or grad.size != var.size:
        return False
    one = var.dtype.type(1)
    for i in range(var.size):
        g = grad[i]
        m_i = m[i] + (g - m[i]) * (one - beta1)
        v_i = v[i] + (g * g - v[i]) * (one - beta2)
        m[i] = m_i
        v[i] = v_i
        var[i] -= m_i * alpha / (np.sqrt(v_i) + epsilon)
    return True


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad):
    checks.apply_update([("beta1_power", beta1_power), ("beta2_power", beta2_power),
                         ("lr", lr), ("beta1", beta1), ("beta2", beta2),
                         ("epsilon", epsilon)], var, [("m", m), ("v", v)], grad)
    flat = _flat_update(var, [m, v, grad])
    if flat is None:
        return reference.apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2,
                                    epsilon, grad)
    t = var.dtype.type
    alpha = reference.adam_alpha(t(beta1_power), t(beta2_power), t(lr))
    if not _adam(*flat, alpha, t(beta1), t(beta2), t(epsilon)):
        raise _refused()
    return var


@jit
def _adagrad(var, accum, grad, lr):
    if accum.size != var.size or grad.size != var.size:
        return False
    one = var.dtype.type(1)
    for i in range(var.size):
        g = grad[i]
        a = accum[i] + g * g
        accum[i] = a
        var[i] -= g * lr * (one / np.sqrt(a))
    return True


def apply_adagrad(var, accum, lr, grad):
    checks.apply_update([("lr", lr)], var, [("accum", accum)], grad)
    flat = _flat_update(var, [accum, grad])
    if flat is None:
        return reference.apply_adagrad(var, accum, lr, grad)
    if not _adagrad(*flat, var.dtype.type(lr)):
        raise _refused()
    return var


@jit
def _rms_prop(var, mg, ms, mom, grad, lr, rho, momentum, epsilon, centered):
    """Centered when ``centered``; else ``mg`` is not touched (pass any array)."""
    if (ms.size != var.size or mom.size != var.size or grad.size != var.size
            or centered and mg.size != var.size):
        return False
    one = var.dtype.type(1)
    for i in range(var.size):
        g = grad[i]
        ms_i = ms[i] + (g * g - ms[i]) * (one - rho)
        ms[i] = ms_i
        if centered:
            mg_i = mg[i] + (g - mg[i]) * (one - rho)
            mg[i] = mg_i
            denom = (ms_i - mg_i * mg_i) + epsilon
        else:
            denom = ms_i + epsilon
        mom_i = mom[i] * momentum + g * lr / np.sqrt(denom)
        mom[i] = mom_i
        var[i] -= mom_i
    return True


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad):
    checks.apply_update([("lr", lr), ("rho", rho), ("momentum", momentum),
                         ("epsilon", epsilon)], var, [("ms", ms), ("mom", mom)], grad)
    flat = _flat_update(var, [ms, mom, grad])
    if flat is None:
        return reference.apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad)
    t = var.dtype.type
    var_f, ms_f, mom_f, grad_f = flat
    if not _rms_prop(var_f, ms_f, ms_f, mom_f, grad_f, t(lr), t(rho), t(momentum), t(epsilon),
                     False):
        raise _refused()
    return var


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
    checks.apply_update([("lr", lr), ("rho", rho), ("momentum", momentum),
                         ("epsilon", epsilon)], var, [("mg", mg), ("ms", ms), ("mom", mom)],
                        grad)
    flat = _flat_update(var, [mg, ms, mom, grad])
    if flat is None:
        return reference.apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum,
                                                 epsilon, grad)
    t = var.dtype.type
    if not _rms_prop(*flat, t(lr), t(rho), t(momentum), t(epsilon), True):
        raise _refused()
    return var


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
