"""Plain-numpy kernels: the specification that every numba kernel must match.

Each function takes arrays (never graph objects) and returns arrays of the input's float
type. ``numba_impl.py`` has a twin of each with the same name and signature. Like the
numba twins (and TF), they are silent about NaN and Inf: no numpy RuntimeWarnings, and NaN
in gives NaN out. Each checks the sizes it relies on first (``checks.py``): sizes come from
the user's data, so a mismatch is an InvalidArgumentError with TF1's text, never a broadcast.
"""
import functools

import numpy as np

from . import checks


def half_in_float32(kernel):
    """Run ``kernel`` in float32 when its inputs are float16, and round its float results
    to float16 once at the end: for the kernels whose formula chains several operations
    (softmax, the cross-entropies, l2_loss, sigmoid), which rounding to half after each
    step would make needlessly inexact. Other dtypes pass through untouched."""
    @functools.wraps(kernel)
    def run(*args, **attrs):
        if not any(getattr(a, "dtype", None) == np.float16 for a in args):
            return kernel(*args, **attrs)
        wide = [a.astype(np.float32) if getattr(a, "dtype", None) == np.float16 else a
                for a in args]
        out = kernel(*wide, **attrs)
        narrow = [o.astype(np.float16) if getattr(o, "dtype", None) == np.float32 else o
                  for o in (out if isinstance(out, tuple) else (out,))]
        return tuple(narrow) if isinstance(out, tuple) else narrow[0]
    return run


def sparse_xent(logits, labels):
    """Fused softmax cross-entropy: per-row loss, its gradient, and the first bad row.

    loss[i] = logsumexp(z[i]) - z[i, labels[i]], computed max-subtracted so that large
    logits stay finite; backprop = softmax(z) - onehot(labels). The third result is the
    index of the first label outside [0, num_classes), or -1 when all are valid.
    """
    checks.sparse_xent(logits, labels)
    n, k = logits.shape
    bad = np.flatnonzero((labels < 0) | (labels >= k))
    if bad.size:
        return None, None, int(bad[0])
    with np.errstate(invalid="ignore"):  # inf - inf in a row with infinite logits: NaN
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sums = exp.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = np.log(sums[:, 0]) - shifted[rows, labels]
        backprop = exp / sums
    backprop[rows, labels] -= 1
    return loss.astype(logits.dtype, copy=False), backprop, -1


def bias_sparse_xent_scaled(z, bias, labels, scale, with_loss=True):
    """``sparse_xent(z + bias, labels)`` with the backprop multiplied by ``scale``: the mean
    cross-entropy's loss and gradient in one call (the fusion pass's kernel for it). The
    loss is an empty array when not ``with_loss``."""
    checks.sparse_xent(z, labels)
    checks.bias_add(z, bias)
    with np.errstate(invalid="ignore", over="ignore"):
        loss, backprop, bad = sparse_xent(z + bias, labels)
        if bad < 0:
            backprop *= scale
    if bad < 0 and not with_loss:
        loss = loss[:0]
    return loss, backprop, bad


def sum_to_shape(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, back to ``shape``."""
    if grad.shape == shape:
        return grad
    checks.sum_to_shape(grad.shape, shape)
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and grad.shape[lead + i] != 1)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.sum(grad, axis=axes, keepdims=True, dtype=grad.dtype).reshape(shape)


def relu(x):
    return np.maximum(x, x.dtype.type(0))


def relu_grad(grad, y, name="ReluGrad"):
    """Gradient of relu given its output ``y``: grad * (y > 0), as TF1 computes it.

    So relu'(0) = 0, and a NaN or infinite ``grad`` gives NaN even where y <= 0 (NaN * 0).
    ``name`` is the op's, for the error text.
    """
    checks.same_shape("ReluGrad", name, grad, y)
    with np.errstate(invalid="ignore"):  # inf * 0
        return grad * (y > 0).astype(grad.dtype)


def argmax(x, axis):
    """Index of the largest value along ``axis``; ties go to the lowest index."""
    checks.argmax(x, axis)
    return np.argmax(x, axis=axis).astype(np.int64)


def equal(x, y):
    try:
        return np.equal(x, y)
    except ValueError:  # numpy checks the broadcast anyway: no cost when it succeeds
        raise checks.incompatible_shapes(x.shape, y.shape) from None


def apply_gradient_descent(var, alpha, delta):
    """In place: var -= alpha * delta."""
    checks.apply_gradient_descent(var, alpha, delta)
    with np.errstate(invalid="ignore", over="ignore"):
        var -= var.dtype.type(alpha) * delta
    return var


def bias_add(x, bias):
    checks.bias_add(x, bias)
    with np.errstate(invalid="ignore", over="ignore"):
        return x + bias


# -- optimizer updates: TF1's training_ops formulas, term by term, in the variable's dtype ----
# Each writes the variable and its slots in place. The order of the operations is TF1's
# (Eigen's expressions in training_ops.cc), so that float32 rounding matches it too.
def apply_momentum(var, accum, lr, grad, momentum, use_nesterov=False):
    """accum = accum * momentum + grad; var -= lr * accum (Nesterov: var -= grad * lr +
    accum * momentum * lr)."""
    checks.apply_update([("lr", lr), ("momentum", momentum)], var, [("accum", accum)], grad)
    lr, momentum = var.dtype.type(lr), var.dtype.type(momentum)
    with np.errstate(all="ignore"):
        accum *= momentum
        accum += grad
        if use_nesterov:
            var -= grad * lr + accum * momentum * lr
        else:
            var -= accum * lr
    return var


def adam_alpha(beta1_power, beta2_power, lr):
    """Adam's step size lr * sqrt(1 - beta2^t) / (1 - beta1^t), in the variable's dtype."""
    one = lr.dtype.type(1)
    with np.errstate(all="ignore"):
        return lr * np.sqrt(one - beta2_power) / (one - beta1_power)


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad):
    """m += (grad - m) * (1 - beta1); v += (grad^2 - v) * (1 - beta2);
    var -= m * alpha / (sqrt(v) + epsilon), alpha = ``adam_alpha``."""
    checks.apply_update([("beta1_power", beta1_power), ("beta2_power", beta2_power),
                         ("lr", lr), ("beta1", beta1), ("beta2", beta2),
                         ("epsilon", epsilon)], var, [("m", m), ("v", v)], grad)
    t = var.dtype.type
    one = t(1)
    alpha = adam_alpha(t(beta1_power), t(beta2_power), t(lr))
    with np.errstate(all="ignore"):
        m += (grad - m) * (one - t(beta1))
        v += (grad * grad - v) * (one - t(beta2))
        var -= m * alpha / (np.sqrt(v) + t(epsilon))
    return var


def apply_adagrad(var, accum, lr, grad):
    """accum += grad^2; var -= grad * lr * (1 / sqrt(accum))."""
    checks.apply_update([("lr", lr)], var, [("accum", accum)], grad)
    t = var.dtype.type
    with np.errstate(all="ignore"):
        accum += grad * grad
        var -= grad * t(lr) * (t(1) / np.sqrt(accum))
    return var


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad):
    """ms += (grad^2 - ms) * (1 - rho); mom = mom * momentum + grad * lr / sqrt(ms + epsilon);
    var -= mom."""
    checks.apply_update([("lr", lr), ("rho", rho), ("momentum", momentum),
                         ("epsilon", epsilon)], var, [("ms", ms), ("mom", mom)], grad)
    t = var.dtype.type
    with np.errstate(all="ignore"):
        ms += (grad * grad - ms) * (t(1) - t(rho))
        mom *= t(momentum)
        mom += grad * t(lr) / np.sqrt(ms + t(epsilon))
        var -= mom
    return var


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
    """As ``apply_rms_prop``, with mg += (grad - mg) * (1 - rho) and the denominator
    sqrt(ms - mg^2 + epsilon)."""
    checks.apply_update([("lr", lr), ("rho", rho), ("momentum", momentum),
                         ("epsilon", epsilon)], var, [("mg", mg), ("ms", ms), ("mom", mom)],
                        grad)
    t = var.dtype.type
    with np.errstate(all="ignore"):
        ms += (grad * grad - ms) * (t(1) - t(rho))
        mg += (grad - mg) * (t(1) - t(rho))
        mom *= t(momentum)
        mom += grad * t(lr) / np.sqrt((ms - mg * mg) + t(epsilon))
        var -= mom
    return var
