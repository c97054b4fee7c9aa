"""Growing tensors: Tile, Pad (CONSTANT), MirrorPad (REFLECT, SYMMETRIC) and OneHot.

The gradients fold the grown tensor back onto the input: TileGrad sums the copies, a
constant pad's gradient is the middle part, MirrorPadGrad adds the mirrored borders back.
They read the input's shape at run time, so ``None`` dims work.
"""
import numpy as np

from .. import dtypes, errors
from ..kernels import checks
from ..graph import Tensor, create_op
from ..registry import NotDifferentiable, RegisterGradient, define_op
from ..shapes import TensorShape
from .array_ops import _numpy_value, convert_to_tensor
from .broadcast_ops import _sum_to_shape_infer  # sums: no bool
from .shape_ops import constant_value, partial_dims, python_ints, shape_error, shape_tensor
from .slicing import getitem

__all__ = ["tile", "pad", "one_hot"]


# -- Tile --------------------------------------------------------------------------------------
def _tile_infer(op):
    x, multiples = op.inputs
    if multiples.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError("Value passed to parameter 'multiples' has DataType %s not in list of "
                        "allowed values: int32, int64" % multiples.dtype.base_dtype.name)
    if multiples.shape.ndims not in (None, 1):
        raise shape_error(op, "Shape must be rank 1 but is rank %d" % multiples.shape.ndims)
    known = partial_dims(multiples)
    dims = x.shape.dims
    if known is None:
        return [(TensorShape(None if dims is None else [None] * len(dims)), x.dtype.base_dtype)]
    if dims is not None and len(dims) != len(known):
        raise shape_error(op, "Shape must be rank %d but is rank %d" % (len(dims), len(known)))
    if any(m is not None and m < 0 for m in known):
        raise shape_error(op, "Expected multiples[%d] >= 0, but got %d"
                          % next((i, m) for i, m in enumerate(known) if m is not None and m < 0))
    if dims is None:
        dims = [None] * len(known)
    out = [None if d is None or m is None else d * m for d, m in zip(dims, known)]
    return [(TensorShape(out), x.dtype.base_dtype)]


def _check_multiples(x, multiples):
    if multiples.ndim != 1 or x.ndim != len(multiples):
        raise errors.InvalidArgumentError(None, None, "Expected multiples argument to be a "
                                          "vector of length %d but got length %d"
                                          % (x.ndim, multiples.size))
    if (multiples < 0).any():
        raise errors.InvalidArgumentError(None, None, "Expected multiples[%d] >= 0, but got %d"
                                          % next((i, m) for i, m in enumerate(multiples)
                                                 if m < 0))


def _tile_kernel(x, multiples):
    _check_multiples(x, multiples)
    return np.tile(x, multiples.tolist()) if len(multiples) else x.copy()


define_op("Tile", _tile_infer, _tile_kernel)


@RegisterGradient("Tile")
def _tile_grad(op, grad):
    x, multiples = op.inputs
    return [create_op("TileGrad", [grad, x, multiples], {}), None]


def _tile_grad_kernel(grad, like, multiples):
    _check_multiples(like, multiples)
    checks.gradient_shape("a tile of an input of shape %s by %s" % (
        checks.dims(like.shape), checks.dims(multiples.tolist())), grad.shape,
        [d * int(m) for d, m in zip(like.shape, multiples)])
    # grad has shape (m0*d0, m1*d1, ...): view it as (m0, d0, m1, d1, ...), sum the m axes
    split = [int(n) for pair in zip(multiples, like.shape) for n in pair]
    return grad.reshape(split).sum(axis=tuple(range(0, 2 * like.ndim, 2))).astype(grad.dtype)


define_op("TileGrad", _sum_to_shape_infer, _tile_grad_kernel)


@RegisterGradient("TileGrad")
def _tile_grad_grad(op, grad):
    return [tile(grad, op.inputs[2]), None, None]


def tile(input, multiples, name=None):
    """Repeat ``input`` ``multiples[i]`` times along each dim i (a list of ints, a 1-D int
    tensor, or a list mixing ints and scalar int tensors)."""
    return create_op("Tile", [convert_to_tensor(input), shape_tensor(multiples)], {}, name)


# -- Pad and MirrorPad -------------------------------------------------------------------------
def _pad_infer(op):
    x, paddings = op.inputs[0], op.attrs["paddings"]
    dims = x.shape.dims
    if dims is not None and len(dims) != len(paddings):
        raise shape_error(op, "Shape must be rank %d but is rank %d" % (len(dims), len(paddings)))
    if dims is None:
        dims = [None] * len(paddings)
    for i, (n, (a, b)) in enumerate(zip(dims, paddings)):
        message = _pad_error(op.type, op.attrs.get("mode"), i, n, a, b)
        if message:
            raise shape_error(op, message)
    out = [None if n is None else n + a + b for n, (a, b) in zip(dims, paddings)]
    return [(TensorShape(out), x.dtype.base_dtype)]


def _pad_error(op_type, mode, i, n, a, b):
    if a < 0 or b < 0:
        return "Paddings must be non-negative: %d %d" % (a, b)
    if op_type == "MirrorPad" and n is not None:
        limit = n if mode == "SYMMETRIC" else n - 1
        if a > limit or b > limit:
            return ("paddings must be no greater than the dimension size: %d, %d greater than "
                    "%d" % (a, b, n) if mode == "SYMMETRIC" else
                    "paddings must be less than the dimension size: %d, %d not less than %d"
                    % (a, b, n))
    return None


def _check_pad(x, paddings, op_type, mode=None):
    if x.ndim != len(paddings):
        raise errors.InvalidArgumentError(None, None, "The first dimension of paddings must be "
                                          "the rank of inputs[%d,2] %s"
                                          % (len(paddings), checks.dims(x.shape)))
    for i, (n, (a, b)) in enumerate(zip(x.shape, paddings)):
        message = _pad_error(op_type, mode, i, n, a, b)
        if message:
            raise errors.InvalidArgumentError(None, None, message)


def _pad_kernel(x, paddings, constant_values):
    _check_pad(x, paddings, "Pad")
    out = np.full([n + a + b for n, (a, b) in zip(x.shape, paddings)], constant_values,
                  x.dtype)
    out[tuple(slice(a, a + n) for n, (a, _) in zip(x.shape, paddings))] = x
    return out


def _mirror_pad_kernel(x, paddings, mode):
    _check_pad(x, paddings, "MirrorPad", mode)
    return np.pad(x, paddings, mode=mode.lower())


define_op("Pad", _pad_infer, _pad_kernel)
define_op("MirrorPad", _pad_infer, _mirror_pad_kernel)


@RegisterGradient("Pad")
def _pad_grad(op, grad):
    middle = tuple(slice(a, -b if b else None) for a, b in op.attrs["paddings"])
    return [getitem(grad, middle)]


@RegisterGradient("MirrorPad")
def _mirror_pad_grad(op, grad):
    return [create_op("MirrorPadGrad", [grad, op.inputs[0]], {
        "paddings": op.attrs["paddings"], "mode": op.attrs["mode"]})]


def _mirror_pad_grad_kernel(grad, like, paddings, mode):
    _check_pad(like, paddings, "MirrorPad", mode)
    checks.gradient_shape("a mirror pad of an input of shape %s" % checks.dims(like.shape),
                          grad.shape, [n + a + b for n, (a, b) in zip(like.shape, paddings)])
    shift = 1 if mode == "REFLECT" else 0  # REFLECT skips the edge entry, SYMMETRIC repeats it
    out = grad
    for axis, ((a, b), n) in enumerate(zip(paddings, like.shape)):
        out = np.moveaxis(out, axis, 0)
        core = out[a:a + n].copy()
        if a:
            core[shift:shift + a] += out[:a][::-1]
        if b:
            core[n - shift - b:n - shift] += out[a + n:][::-1]
        out = np.moveaxis(core, 0, axis)
    return out


define_op("MirrorPadGrad", _sum_to_shape_infer, _mirror_pad_grad_kernel)


@RegisterGradient("MirrorPadGrad")
def _mirror_pad_grad_grad(op, grad):
    return [pad(grad, op.attrs["paddings"], mode=op.attrs["mode"]), None]


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """Add ``paddings[i] = [before, after]`` entries around dim i: ``constant_values``
    (CONSTANT), a mirror without the edge (REFLECT) or with it (SYMMETRIC)."""
    tensor = convert_to_tensor(tensor)
    paddings = tuple(tuple(p) for p in python_ints(paddings, "paddings"))
    if any(len(p) != 2 for p in paddings):
        raise ValueError("paddings must be a list of [before, after] pairs, got %s"
                         % (paddings,))
    mode = mode.upper()
    if mode == "CONSTANT":
        if tensor.dtype.base_dtype.is_string and _is_zero(constant_values):
            constant_values = b""  # TF1's Pad pads strings with empty ones
        value = dtypes.convert_array(constant_values, tensor.dtype.base_dtype)
        if value.ndim:
            raise ValueError("constant_values must be a scalar")
        return create_op("Pad", [tensor], {"paddings": paddings, "constant_values": value[()]},
                         name)
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ValueError("Unknown padding mode: %s" % mode)
    return create_op("MirrorPad", [tensor], {"paddings": paddings, "mode": mode}, name)


def _is_zero(value):
    return isinstance(value, (int, float, np.number)) and value == 0


# -- OneHot ------------------------------------------------------------------------------------
def _one_hot_infer(op):
    indices, depth, axis = op.inputs[0], op.attrs.get("depth"), op.attrs["axis"]
    if indices.dtype.base_dtype not in (dtypes.uint8, dtypes.int32, dtypes.int64):
        raise TypeError("Value passed to parameter 'indices' has DataType %s not in list of "
                        "allowed values: uint8, int32, int64" % indices.dtype.base_dtype.name)
    if len(op.inputs) == 2:  # depth is a tensor, known when the graph runs
        if op.inputs[1].dtype.base_dtype != dtypes.int32:
            raise TypeError("Value passed to parameter 'depth' has DataType %s not in list of "
                            "allowed values: int32" % op.inputs[1].dtype.base_dtype.name)
        if op.inputs[1].shape.ndims not in (None, 0):
            raise shape_error(op, "depth must be a scalar, but has shape %s"
                              % op.inputs[1].shape.bracket_str())
    elif depth < 0:
        raise shape_error(op, "depth must be non-negative, got: %d" % depth)
    dims = indices.shape.dims
    if dims is None:
        return [(TensorShape(None), op.attrs["dtype"])]
    if not -1 <= axis <= len(dims):
        raise shape_error(op, "Expected axis to be -1 or between [0, %d).  But received: %d"
                          % (len(dims) + 1, axis))
    out = list(dims)
    out.insert(len(dims) if axis == -1 else axis, depth)
    return [(TensorShape(out), op.attrs["dtype"])]


def _one_hot_kernel(indices, depth, axis, on_value, off_value, dtype):
    """``depth``: the attr, or the value of the depth tensor."""
    if np.ndim(depth) or depth < 0:
        raise errors.InvalidArgumentError(
            None, None, "depth must be a scalar, but has shape %s" % list(np.shape(depth))
            if np.ndim(depth) else "depth must be non-negative, got: %d" % depth)
    if not -1 <= axis <= indices.ndim:
        raise errors.InvalidArgumentError(None, None, "Expected axis to be -1 or between [0, "
                                          "%d).  But received: %d" % (indices.ndim + 1, axis))
    # indices outside [0, depth) (negative ones too) give a row of off_value, as in TF1
    hot = indices[..., None] == np.arange(depth)
    on, off = np.asarray(on_value, dtype.np_dtype), np.asarray(off_value, dtype.np_dtype)
    out = np.where(hot, on, off)  # (strings stay bytes objects)
    return np.moveaxis(out, -1, axis) if axis != -1 else out


define_op("OneHot", _one_hot_infer, _one_hot_kernel)
NotDifferentiable("OneHot")


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """``on_value`` (default 1) where the position along the new ``axis`` (default: last)
    equals the index, ``off_value`` (default 0) elsewhere. The dtype is ``dtype``, else that
    of a typed (numpy or tensor) on/off value, else that of a Python value, else float32.

    Raises:
        TypeError: the on/off values have different dtypes, or not ``dtype``.
    """
    indices = convert_to_tensor(indices)
    depth_tensor = None
    if constant_value(depth) is None:  # known only when the graph runs
        depth_tensor = convert_to_tensor(depth)
    else:
        depth = int(python_ints(depth, "depth"))
    on_value, off_value = _known(on_value, "on_value"), _known(off_value, "off_value")
    values = [v for v in (on_value, off_value) if v is not None]
    typed = [dtypes.as_dtype(v.dtype) for v in values if isinstance(v, (np.ndarray, np.generic))]
    wanted = typed + ([dtypes.as_dtype(dtype)] if dtype is not None else [])
    if len(set(wanted)) > 1:
        raise TypeError("dtype %s of on_value does not match dtype %s of off_value or the dtype "
                        "parameter" % (wanted[0].name, wanted[-1].name))
    if wanted:
        dtype = wanted[0]
    else:
        dtype = dtypes.as_dtype(_numpy_value(values[0]).dtype) if values else dtypes.float32
    on = dtypes.convert_array(1 if on_value is None else on_value, dtype)
    off = dtypes.convert_array(0 if off_value is None else off_value, dtype)
    if on.ndim or off.ndim:
        raise ValueError("on_value and off_value must be scalars")
    attrs = {"axis": -1 if axis is None else int(axis), "on_value": on[()],
             "off_value": off[()], "dtype": dtype}
    if depth_tensor is not None:
        return create_op("OneHot", [indices, depth_tensor], attrs, name or "one_hot")
    return create_op("OneHot", [indices], dict(attrs, depth=depth), name or "one_hot")


def _known(value, what):
    """A Python or numpy value as is; a Const tensor as its numpy value."""
    if isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
        known = constant_value(convert_to_tensor(value))
        if known is None:
            raise TypeError("tinygraph needs %s as a constant, not %r whose value is only known "
                            "at run time." % (what, value))
        return known
    return value
