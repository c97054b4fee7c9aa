"""``train.exponential_decay``: a learning rate that shrinks with the global step."""
import numpy as np

from .. import errors
from ..graph import create_op, name_scope
from ..ops.array_ops import convert_to_tensor
from ..registry import define_op

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


define_op("ExponentialDecay", _decay_infer, _decay_kernel)  # no gradient: see below


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate * decay_rate ** (global_step / decay_steps)``, computed when the
    graph runs; with ``staircase=True`` the exponent is floored (the rate drops every
    ``decay_steps`` steps). The result has ``learning_rate``'s dtype (float32 for a
    Python number), and is named ``ExponentialDecay`` as in TF1.

    It is one op (TF1 builds it from Cast, RealDiv, Floor, Pow and Mul, with the same
    numbers) and has no gradient: differentiating through it raises LookupError.

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
