"""``train.exponential_decay``: a learning rate that shrinks with the global step."""
import numpy as np

from .. import errors
from ..graph import create_op, name_scope
from ..ops.array_ops import cast, convert_to_tensor, ones_like, zeros_like
from ..ops.binary_math_ops import pow  # noqa: A004 (TF1's name)
from ..ops.comparison_ops import where
from ..ops.math_ops import log
from ..ops.unary_math_ops import floor
from ..registry import RegisterGradient, define_op

__all__ = ["exponential_decay"]


def _decay_infer(op):
    lr, step, decay_steps, decay_rate = op.inputs
    dtype = lr.dtype.base_dtype
    if dtype.name not in ("float16", "float32", "float64"):
        raise TypeError("exponential_decay needs a float learning rate, got %s" % dtype.name)
    for name, t in zip(("learning_rate", "global_step", "decay_steps", "decay_rate"),
                       op.inputs):
        if t.dtype.base_dtype.name not in ("float16", "float32", "float64", "int32", "int64"):
            raise TypeError("exponential_decay: %s must be a number, got %s"
                            % (name, t.dtype.base_dtype.name))
        if t.shape.ndims not in (None, 0):
            raise ValueError("exponential_decay: %s must be a scalar, but has shape %s"
                             % (name, t.shape.bracket_str()))
    return [(lr.shape, dtype)]


def _decay_kernel(lr, step, decay_steps, decay_rate, staircase=False):
    """lr * decay_rate ** (step / decay_steps), the division floored when ``staircase``,
    each number cast to the learning rate's dtype first (as TF1 casts them)."""
    for name, value in (("learning_rate", lr), ("global_step", step),
                        ("decay_steps", decay_steps), ("decay_rate", decay_rate)):
        if value.ndim != 0:
            raise errors.InvalidArgumentError(
                None, None, "%s must be a scalar, but has shape [%s]"
                % (name, ",".join(map(str, value.shape))))
    t = lr.dtype.type
    with np.errstate(all="ignore"):
        p = t(step) / t(decay_steps)
        if staircase:
            p = np.floor(p)
        return np.asarray(lr * np.power(t(decay_rate), p), lr.dtype)


define_op("ExponentialDecay", _decay_infer, _decay_kernel)


@RegisterGradient("ExponentialDecay")
def _decay_grad(op, grad):
    """The gradient of TF1's composition ``lr * Pow(r, p)``, ``p = s / d`` (floored when
    ``staircase``), each of ``s, d, r`` cast to ``lr``'s dtype: Pow's rule (``log(r)`` taken
    as 0 where ``r <= 0``), Floor's and an integer Cast's None, float Casts cast back."""
    lr, step, steps, rate = op.inputs
    dtype = lr.dtype.base_dtype
    s, d, r = (_cast(t, dtype) for t in (step, steps, rate))
    p = s / d
    if op.attrs.get("staircase"):
        p = floor(p)
    power = pow(r, p)
    positive = r > 0
    log_r = where(positive, log(where(positive, r, ones_like(r))), zeros_like(r))
    g_power = grad * lr
    g_rate = g_power * p * pow(r, p - 1)
    g_p = g_power * power * log_r
    if op.attrs.get("staircase"):
        g_step = g_steps = None
    else:
        g_step, g_steps = g_p / d, g_p * (-s / d / d)
    return [grad * power, _cast_back(g_step, step), _cast_back(g_steps, steps),
            _cast_back(g_rate, rate)]


def _cast(t, dtype):
    return t if t.dtype.base_dtype == dtype else cast(t, dtype)


def _cast_back(g, t):
    """Cast's gradient: back to a float input's dtype, None for an integer input."""
    if g is None or not t.dtype.base_dtype.is_floating:
        return None
    return _cast(g, t.dtype.base_dtype)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate * decay_rate ** (global_step / decay_steps)``, computed when the
    graph runs; with ``staircase=True`` the exponent is floored (the rate drops every
    ``decay_steps`` steps). The result has ``learning_rate``'s dtype (float32 for a
    Python number), and is named ``ExponentialDecay`` as in TF1.

    It is one op (TF1 builds it from Cast, RealDiv, Floor, Pow and Mul, with the same
    numbers) with the gradient of TF1's composition (none into an integer step, and none
    into the step or ``decay_steps`` when ``staircase``, as Floor has none).

    Raises:
        ValueError: ``global_step`` is None, or an argument is not a scalar.
    """
    if global_step is None:
        raise ValueError("global_step is required for exponential_decay.")
    with name_scope(name, "ExponentialDecay") as scope:
        lr = convert_to_tensor(learning_rate, name="learning_rate")
        inputs = [lr] + [convert_to_tensor(v, name=n) for v, n in (
            (global_step, "global_step"), (decay_steps, "decay_steps"),
            (decay_rate, "decay_rate"))]
        return create_op("ExponentialDecay", inputs,
                         {"staircase": True} if staircase else {}, scope)
