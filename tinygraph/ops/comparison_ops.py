"""Comparisons, logical ops and ``where``: elementwise tests that give bool tensors, and the
selection that consumes them.

Comparisons broadcast like the arithmetic ops and never promote (a Python number takes the
tensor's dtype). None of them has a gradient, except ``Select``, which routes the upstream
gradient to whichever input each element was taken from.
"""
import numpy as np

from .. import dtypes, errors
from ..graph import create_op
from ..registry import NotDifferentiable, RegisterGradient, define_op
from ..shapes import TensorShape
from .array_ops import convert_to_tensor, zeros_like
from .math_ops import (_NUMERIC, _binary, _broadcast_infer, _broadcasting, _check_dtypes,
                       _convert_pair, _dims_text)

__all__ = ["less", "less_equal", "greater", "greater_equal", "not_equal", "logical_and",
           "logical_or", "logical_not", "logical_xor", "where"]

_ALL = _NUMERIC + ("bool",)  # Where (TF1 has no string kernel for it)
_EQUALITY = _ALL + ("string",)  # NotEqual, as Equal


# -- Less, LessEqual, Greater, GreaterEqual, NotEqual (no gradient) ------------------------
def _compare_infer(op):
    return _broadcast_infer(op, _NUMERIC, out_dtype=dtypes.bool)


def _not_equal_infer(op):
    return _broadcast_infer(op, _EQUALITY, out_dtype=dtypes.bool)


define_op("Less", _compare_infer, _broadcasting(np.less, quiet=True))
define_op("LessEqual", _compare_infer, _broadcasting(np.less_equal, quiet=True))
define_op("Greater", _compare_infer, _broadcasting(np.greater, quiet=True))
define_op("GreaterEqual", _compare_infer, _broadcasting(np.greater_equal, quiet=True))
define_op("NotEqual", _not_equal_infer, _broadcasting(np.not_equal, quiet=True))
for _type in ("Less", "LessEqual", "Greater", "GreaterEqual", "NotEqual"):
    NotDifferentiable(_type)


def less(x, y, name=None):
    """Elementwise ``x < y`` as bool (same dtypes; broadcasts). NaN compares False."""
    return _binary("Less", x, y, name)


def less_equal(x, y, name=None):
    """Elementwise ``x <= y`` as bool."""
    return _binary("LessEqual", x, y, name)


def greater(x, y, name=None):
    """Elementwise ``x > y`` as bool."""
    return _binary("Greater", x, y, name)


def greater_equal(x, y, name=None):
    """Elementwise ``x >= y`` as bool."""
    return _binary("GreaterEqual", x, y, name)


def not_equal(x, y, name=None):
    """Elementwise ``x != y`` as bool (NaN != NaN is True)."""
    return _binary("NotEqual", x, y, name)


# -- LogicalAnd, LogicalOr, LogicalNot (bool only, no gradient) -----------------------------
def _logical_infer(op):
    return _broadcast_infer(op, ("bool",))


def _logical_not_infer(op):
    return [(op.inputs[0].shape, _check_dtypes(op, ("x",), ("bool",)))]


define_op("LogicalAnd", _logical_infer, _broadcasting(np.logical_and))
define_op("LogicalOr", _logical_infer, _broadcasting(np.logical_or))
define_op("LogicalNot", _logical_not_infer, np.logical_not)
for _type in ("LogicalAnd", "LogicalOr", "LogicalNot"):
    NotDifferentiable(_type)


def logical_and(x, y, name=None):
    """Elementwise ``x AND y`` of two bool tensors (broadcasts)."""
    return _binary("LogicalAnd", x, y, name)


def logical_or(x, y, name=None):
    """Elementwise ``x OR y`` of two bool tensors (broadcasts)."""
    return _binary("LogicalOr", x, y, name)


def logical_not(x, name=None):
    """Elementwise ``NOT x`` of a bool tensor."""
    return create_op("LogicalNot", [convert_to_tensor(x)], {}, name)


def logical_xor(x, y, name="LogicalXor"):
    """Elementwise exclusive or, built as TF1 builds it: ``(x OR y) AND NOT (x AND y)``."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


# -- Where: coordinates of the true elements (one argument; no gradient) --------------------
def _where_infer(op):
    x = op.inputs[0]
    _check_dtypes(op, ("input",), _ALL)
    return [(TensorShape([None, x.shape.ndims]), dtypes.int64)]


def _where_kernel(x):
    return np.argwhere(x).astype(np.int64, copy=False)  # row-major order, as TF


define_op("Where", _where_infer, _where_kernel)
NotDifferentiable("Where")


# -- Select: where(condition, x, y) -------------------------------------------------------
def _select_error(op, detail):
    c, x, y = op.inputs
    return ValueError("%s for '%s' (op: 'Select') with input shapes: %s, %s, %s."
                      % (detail, op.name, c.shape.bracket_str(), x.shape.bracket_str(),
                         y.shape.bracket_str()))


def _select_infer(op):
    c, x, y = op.inputs
    if c.dtype.base_dtype != dtypes.bool:
        raise TypeError("Value passed to parameter 'condition' has DataType %s not in list of "
                        "allowed values: bool" % c.dtype.base_dtype.name)
    if y.dtype.base_dtype != x.dtype.base_dtype:
        raise TypeError("Input 'e' of 'Select' Op has type %s that does not match type %s of "
                        "argument 't'." % (y.dtype.base_dtype.name, x.dtype.base_dtype.name))
    if not x.shape.is_compatible_with(y.shape):
        raise _select_error(op, "Shapes of 't' and 'e' must be equal")
    shape = x.shape.merge_with(y.shape)
    if c.shape.ndims is not None and shape.ndims is not None and c.shape.ndims != 0:
        if c.shape.ndims == 1 and shape.ndims > 1:  # one condition per row
            if not TensorShape(c.shape.dims).is_compatible_with(shape.dims[:1]):
                raise _select_error(op, "Dimension 0 of 'condition' must match the first "
                                        "dimension of 't'")
        elif not c.shape.is_compatible_with(shape):
            raise _select_error(op, "'condition' must be a scalar, a vector matching the first "
                                    "dimension of 't', or of the shape of 't'")
    return [(shape, x.dtype.base_dtype)]


def _select_kernel(c, x, y):
    if x.shape != y.shape:
        raise errors.InvalidArgumentError(
            None, None, "'then' and 'else' must have the same size.  but received: %s vs. %s"
            % (_dims_text(x.shape), _dims_text(y.shape)))
    if c.ndim == 1 and x.ndim > 1 and c.shape[0] == x.shape[0]:
        c = c.reshape(c.shape + (1,) * (x.ndim - 1))  # a vector picks whole rows
    elif c.ndim != 0 and c.shape != x.shape:
        raise errors.InvalidArgumentError(
            None, None, "'condition' must be a scalar, a vector matching the first dimension "
            "of 'then', or of the shape of 'then': %s vs. %s"
            % (_dims_text(c.shape), _dims_text(x.shape)))
    return np.where(c, x, y)  # a new array (never a view of x or y)


define_op("Select", _select_infer, _select_kernel)


@RegisterGradient("Select")
def _select_grad(op, grad):
    condition = op.inputs[0]
    zeros = zeros_like(grad)
    return [None, where(condition, grad, zeros), where(condition, zeros, grad)]


def where(condition, x=None, y=None, name=None):
    """TF1's ``where``.

    With one argument: the coordinates of the true (non-zero) elements of ``condition``, an
    int64 tensor of shape ``[num_true, rank(condition)]`` in row-major order.

    With three: elements of ``x`` where ``condition`` is true, else of ``y``. ``x`` and ``y``
    have one shape and dtype (no broadcasting); ``condition`` is bool and either has that
    shape, is a scalar, or is a vector that picks whole rows (its length is ``x``'s first
    dimension).

    Raises:
        ValueError: only one of ``x`` and ``y`` is given, or the shapes don't fit.
        TypeError: ``condition`` is not bool, or ``x`` and ``y`` differ in dtype.
    """
    if x is None and y is None:
        return create_op("Where", [convert_to_tensor(condition)], {}, name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    condition = convert_to_tensor(condition)  # (Select's inference names a non-bool one)
    x, y = _convert_pair(x, y)
    return create_op("Select", [condition, x, y], {}, name)
