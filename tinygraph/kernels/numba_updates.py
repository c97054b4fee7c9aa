"""The optimizers' one-pass updates, numba twins of ``reference.py``'s (same names, same
signatures, same results); ``numba_impl`` re-exports them with the other kernels."""
import numpy as np

from . import checks, reference
from ._jit import jit
from ._numba_common import _FLOATS, _refused


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
