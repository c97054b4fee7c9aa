"""Gradient clipping as TF1 computes it: ``clip_by_norm``, ``clip_by_global_norm`` and
``global_norm``.

TF1 builds each from a dozen small ops (``where``, ``maximum``, ``minimum``); here each
clipping is one op whose kernel follows the same formula in the same order, in the
tensor's dtype, and whose gradient is that of TF1's composition, ties included
(``maximum`` and ``minimum`` give a tie to their first argument).
"""
import collections.abc

import numpy as np

from .. import errors
from ..graph import create_op, name_scope
from ..registry import RegisterGradient, define_op
from .array_ops import convert_to_tensor, identity, ones_like, zeros_like
from .binary_math_ops import maximum
from .comparison_ops import where
from .math_ops import add_n, multiply, sqrt
from .reduction_ops import reduce_sum
from .nn_ops import l2_loss

__all__ = ["clip_by_norm", "clip_by_global_norm", "global_norm"]
_FLOAT = ("float16", "float32", "float64")


def _check_float(op, t, name):
    if t.dtype.base_dtype.name not in _FLOAT:
        raise TypeError("Value passed to parameter '%s' of '%s' has DataType %s not in list "
                        "of allowed values: float16, float32, float64"
                        % (name, op.type, t.dtype.base_dtype.name))


def _check_scalar_input(op, t, name):
    if t.dtype.base_dtype != op.inputs[0].dtype.base_dtype:
        raise TypeError("Input '%s' of '%s' Op has type %s that does not match type %s of "
                        "argument 't'." % (name, op.type, t.dtype.base_dtype.name,
                                           op.inputs[0].dtype.base_dtype.name))
    if t.shape.ndims not in (None, 0):
        raise ValueError("%s of '%s' must be a scalar, but has shape %s"
                         % (name, op.name, t.shape.bracket_str()))


def _scalar_at_run_time(value, name):
    if value.ndim != 0:
        raise errors.InvalidArgumentError(None, None, "%s must be a scalar, but has shape [%s]"
                                          % (name, ",".join(map(str, value.shape))))


# -- ClipByNorm -------------------------------------------------------------------------------
def _clip_by_norm_infer(op):
    t, clip_norm = op.inputs
    _check_float(op, t, "t")
    _check_scalar_input(op, clip_norm, "clip_norm")
    axes = op.attrs["axes"]
    if axes is not None and t.shape.ndims is not None:
        for axis in axes:
            if not -t.shape.ndims <= axis < t.shape.ndims:
                raise ValueError("Invalid reduction dimension %d for input with %d dimensions"
                                 % (axis, t.shape.ndims))
    return [(t.shape, t.dtype.base_dtype)]


def _clip_by_norm_kernel(t, clip_norm, axes):
    """t * clip_norm / max(l2norm, clip_norm), l2norm = sqrt(sum(t * t, axes)) (0 when the
    sum is 0), as TF1's clip_by_norm."""
    _scalar_at_run_time(clip_norm, "clip_norm")
    if axes is not None:
        for axis in axes:
            if not -t.ndim <= axis < t.ndim:
                raise errors.InvalidArgumentError(
                    None, None, "Invalid reduction dimension %d for input with %d dimensions"
                    % (axis, t.ndim))
    with np.errstate(all="ignore"):
        l2sum = np.sum(t * t, axis=axes, keepdims=True, dtype=t.dtype)
        l2norm = np.where(l2sum > 0, np.sqrt(np.where(l2sum > 0, l2sum, 1)), l2sum)
        return (t * clip_norm / np.maximum(l2norm, clip_norm)).astype(t.dtype, copy=False)


define_op("ClipByNorm", _clip_by_norm_infer, _clip_by_norm_kernel)


@RegisterGradient("ClipByNorm")
def _clip_by_norm_grad(op, grad):
    """TF1's composition ``t * c / maximum(l2norm, c)``, ``l2norm = where(l2sum > 0,
    sqrt(where(l2sum > 0, l2sum, 1)), l2sum)``, differentiated op by op."""
    t, c = op.inputs
    axes = None if op.attrs["axes"] is None else list(op.attrs["axes"])
    l2sum = reduce_sum(t * t, axes, keepdims=True)
    pred = l2sum > 0
    root = sqrt(where(pred, l2sum, ones_like(l2sum)))
    l2norm = where(pred, root, l2sum)
    m = maximum(l2norm, c)
    g_m = reduce_sum(-grad * t * c / (m * m), axes, keepdims=True)
    to_norm = l2norm >= c  # Maximum's gradient: a tie goes to its first argument
    zero = zeros_like(g_m)
    g_norm = where(to_norm, g_m, zero)
    g_l2sum = where(pred, g_norm * 0.5 / root, g_norm)
    g_t = grad * c / m + 2.0 * t * g_l2sum
    g_c = reduce_sum(grad * t / m) + reduce_sum(where(to_norm, zero, g_m))
    return [g_t, g_c]


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """``t * clip_norm / max(||t||_2, clip_norm)``: ``t`` scaled down to an L2 norm of at
    most ``clip_norm`` (a scalar), over all of ``t`` or along ``axes``.

    Raises:
        TypeError: ``t`` is not float. ValueError: ``clip_norm`` is not a scalar.
    """
    with name_scope(name, "clip_by_norm") as scope:
        t = convert_to_tensor(t, name="t")
        clip_norm = convert_to_tensor(clip_norm, t.dtype.base_dtype, name="clip_norm")
        if axes is not None:
            axes = tuple(int(a) for a in (axes if isinstance(axes, (list, tuple)) else [axes]))
        return create_op("ClipByNorm", [t, clip_norm], {"axes": axes}, scope)


# -- global_norm and ClipByGlobalNorm ---------------------------------------------------------
def global_norm(t_list, name=None):
    """``sqrt(sum of the squares of every element of every tensor in t_list)``; None
    entries are ignored.

    Raises:
        TypeError: ``t_list`` is not a sequence.
    """
    t_list = _sequence(t_list)
    with name_scope(name, "global_norm"):
        halves = [l2_loss(convert_to_tensor(t)) for t in t_list if t is not None]
        if not halves:
            raise ValueError("global_norm needs at least one tensor that is not None")
        half = halves[0] if len(halves) == 1 else add_n(halves)
        two = convert_to_tensor(2.0, half.dtype.base_dtype, name="Const")
        return sqrt(multiply(half, two), name="global_norm")


def _sequence(t_list):
    if not isinstance(t_list, collections.abc.Sequence) or isinstance(t_list, str):
        raise TypeError("t_list should be a sequence")
    return list(t_list)


def _global_clip_infer(op):
    clip_norm, use_norm = op.inputs[:2]
    _check_float(op, use_norm, "use_norm")
    for name, t in (("clip_norm", clip_norm), ("use_norm", use_norm)):
        if t.dtype.base_dtype != use_norm.dtype.base_dtype:
            raise TypeError("Input '%s' of '%s' Op has type %s that does not match type %s"
                            % (name, op.type, t.dtype.base_dtype.name,
                               use_norm.dtype.base_dtype.name))
        if t.shape.ndims not in (None, 0):
            raise ValueError("%s of '%s' must be a scalar, but has shape %s"
                             % (name, op.name, t.shape.bracket_str()))
    for t in op.inputs[2:]:
        if t.dtype.base_dtype != use_norm.dtype.base_dtype:
            raise TypeError("clip_by_global_norm: %s has type %s, not %s like the norm"
                            % (t.name, t.dtype.base_dtype.name, use_norm.dtype.base_dtype.name))
    return [(t.shape, t.dtype.base_dtype) for t in op.inputs[2:]]


def _global_clip_kernel(clip_norm, use_norm, *ts):
    """Each t * scale, scale = clip_norm * min(1 / use_norm, 1 / clip_norm), made NaN when
    use_norm is not finite (TF1's ``+ (use_norm - use_norm)``)."""
    _scalar_at_run_time(clip_norm, "clip_norm")
    _scalar_at_run_time(use_norm, "use_norm")
    one = use_norm.dtype.type(1)
    with np.errstate(all="ignore"):
        scale = clip_norm * np.minimum(one / use_norm, one / clip_norm) + (use_norm - use_norm)
        out = tuple((t * scale).astype(t.dtype, copy=False) for t in ts)
    return out if len(out) != 1 else out[0]


define_op("ClipByGlobalNorm", _global_clip_infer, _global_clip_kernel)


@RegisterGradient("ClipByGlobalNorm")
def _global_clip_grad(op, *grads):
    """TF1's composition ``t_i * scale``, ``scale = c * minimum(1 / u, 1 / c) + (u - u)``,
    differentiated op by op (a tie of ``minimum`` goes to ``1 / u``)."""
    c, u, ts = op.inputs[0], op.inputs[1], op.inputs[2:]
    inv_u, inv_c = 1.0 / u, 1.0 / c
    to_u = inv_u <= inv_c
    smaller = where(to_u, inv_u, inv_c)
    scale = c * smaller + (u - u)
    present = [(g, t) for g, t in zip(grads, ts) if g is not None]
    if not present:
        return [None] * len(op.inputs)
    g_scale = add_n([reduce_sum(g * t) for g, t in present])
    g_smaller = g_scale * c
    zero = zeros_like(g_smaller)
    g_u = where(to_u, g_smaller, zero) * (-inv_u / u)
    g_c = g_scale * smaller + where(to_u, zero, g_smaller) * (-inv_c / c)
    return [g_c, g_u] + [None if g is None else g * scale for g in grads]


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scale every tensor of ``t_list`` by ``clip_norm / max(global_norm, clip_norm)``.

    Returns ``(list_clipped, global_norm)``; None entries stay None. ``use_norm`` gives
    the norm instead of computing it. A non-finite norm makes every value NaN, as in TF1.

    Raises:
        TypeError: ``t_list`` is not a sequence.
    """
    t_list = _sequence(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    use_norm = convert_to_tensor(use_norm)
    present = [i for i, t in enumerate(t_list) if t is not None]
    with name_scope(name, "clip_by_global_norm") as scope:
        clip = convert_to_tensor(clip_norm, use_norm.dtype.base_dtype, name="clip_norm")
        values = [convert_to_tensor(t_list[i], name="t_%d" % i) for i in present]
        made = create_op("ClipByGlobalNorm", [clip, use_norm] + values, {}, "clip_by_global_norm")
        outputs = [made] if len(values) == 1 else list(made.outputs)
        clipped = [None] * len(t_list)
        for i, out in zip(present, outputs):
            clipped[i] = identity(out, name="%s_%d" % (scope[:-1].rsplit("/", 1)[-1], i))
    return clipped, use_norm
