"""Ops on variables: VariableV2 (a reference to a session-held value) and the writers
Assign, AssignAdd, AssignSub and ApplyGradientDescent.

Values live in the Session, never in the graph: VariableV2's output is a ``*_ref`` tensor
that each session binds to its own storage cell. Reading goes through an Identity op
(``Variable/read``). Writers update the cell in place and are scheduled after pure reads
(see session.py).
"""
from .. import errors, kernels
from ..dtypes import ref_dtype
from ..graph import create_op
from ..registry import Fusion, NotDifferentiable, define_op
from .array_ops import convert_to_tensor

__all__ = ["variable_op", "assign", "assign_add", "assign_sub", "apply_gradient_descent"]


def _variable_infer(op):
    return [(op.attrs["shape"], ref_dtype(op.attrs["dtype"]))]


def _variable_bind(op, session):
    cell = session._cell(op)
    return lambda: cell


define_op("VariableV2", _variable_infer, bind=_variable_bind, aliases=True, constant=True)
NotDifferentiable("VariableV2")


def variable_op(shape, dtype, name):
    """The VariableV2 op; ``name`` ending in "/" is used verbatim."""
    return create_op("VariableV2", [], {"shape": shape, "dtype": dtype}, name)


def _assign_infer(op):
    ref, value = op.inputs
    if op.type != "Assign":  # AssignAdd, AssignSub: numbers only (TF1 has no bool +=)
        _check_dtype(op, ref, ("float16", "float32", "float64", "int8", "int16", "int32",
                               "int64", "uint8"))
    if not op.attrs.get("validate_shape", True):
        _check_assignable(op, ref, value, check_shape=False)
        return [(value.shape, ref.dtype.base_dtype)]
    return [_check_assignable(op, ref, value)]


def _check_assignable(op, ref, value, check_shape=True):
    """``value`` fits variable ``ref``: same dtype, compatible shape. Returns ref's spec."""
    if not ref.dtype.is_ref:
        raise TypeError("'%s' needs a variable as its first input, got %s" % (op.type, ref))
    if value.dtype.base_dtype != ref.dtype.base_dtype:
        raise TypeError("Input 'value' of '%s' Op has type %s that does not match type %s of "
                        "argument 'ref'." % (op.type, value.dtype.name, ref.dtype.name))
    if check_shape and not ref.shape.is_compatible_with(value.shape):
        a, b = ref.shape, value.shape
        if a.ndims != b.ndims:
            detail = "Shapes must be equal rank, but are %s and %s" % (a.ndims, b.ndims)
        else:
            i = next(i for i, (x, y) in enumerate(zip(a.dims, b.dims))
                     if x is not None and y is not None and x != y)
            detail = ("Dimension %d in both shapes must be equal, but are %d and %d. Shapes "
                      "are %s and %s." % (i, a.dims[i], b.dims[i], a.bracket_str(),
                                          b.bracket_str()))
        raise ValueError("%s for '%s' (op: '%s') with input shapes: %s, %s." % (
            detail, op.name, op.type, a.bracket_str(), b.bracket_str()))
    return (ref.shape, ref.dtype.base_dtype)  # the output is the new value


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


# Each write has a check and a kernel. The plan runs every check before the write lands
# (before the run's first write, where it can: all or none), so kernels only write. Data
# problems are InvalidArgumentErrors with TF1's texts; reading an uninitialized variable is
# a FailedPreconditionError (cell.read()).
def _assign_check(cell, value, validate_shape=True):
    if validate_shape:
        expected = cell.value.shape if cell.value is not None else cell.shape
        if expected is not None and value.shape != expected:
            raise errors.InvalidArgumentError(
                None, None, "Assign requires shapes of both tensors to match. lhs shape= %s "
                "rhs shape= %s" % (_dims(expected), _dims(value.shape)))


def _assign_kernel(cell, value, validate_shape=True):
    cell.value = value.copy()  # the variable owns its storage; never alias a feed or Const
    return cell.value


def _update_check(cell, value):
    if cell.read().shape != value.shape:
        raise errors.InvalidArgumentError(None, None,
                                          "Parameters and update must be the same size")


def _assign_add_kernel(cell, value):
    cell.value += value
    return cell.value


def _assign_sub_kernel(cell, value):
    cell.value -= value
    return cell.value


define_op("Assign", _assign_infer, _assign_kernel, mutates=True, check=_assign_check,
          aliases=(0,))
define_op("AssignAdd", _assign_infer, _assign_add_kernel, mutates=True, check=_update_check,
          aliases=(0,))
define_op("AssignSub", _assign_infer, _assign_sub_kernel, mutates=True, check=_update_check,
          aliases=(0,))
NotDifferentiable("Assign")
NotDifferentiable("AssignAdd")
NotDifferentiable("AssignSub")


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """An op that sets variable ``ref`` to ``value`` (a copy) and outputs the new value.

    ``validate_shape=False`` lets the value take another shape (the static shape stays).
    """
    ref = _ref_of(ref)
    attrs = {} if validate_shape is None or validate_shape else {"validate_shape": False}
    return create_op("Assign", [ref, convert_to_tensor(value, ref.dtype.base_dtype)], attrs,
                     name)


def assign_add(ref, value, use_locking=None, name=None):
    """An op that adds ``value`` to variable ``ref`` in place (same shape, no broadcasting)."""
    ref = _ref_of(ref)
    return create_op("AssignAdd", [ref, convert_to_tensor(value, ref.dtype.base_dtype)], {},
                     name)


def assign_sub(ref, value, use_locking=None, name=None):
    """An op that subtracts ``value`` from variable ``ref`` in place (same shape)."""
    ref = _ref_of(ref)
    return create_op("AssignSub", [ref, convert_to_tensor(value, ref.dtype.base_dtype)], {},
                     name)


def _ref_of(ref):
    """A Variable stands for its reference tensor here."""
    element = getattr(ref, "_as_graph_element", None)
    return element() if element is not None else ref


def _check_dtype(op, ref, allowed):
    dtype = ref.dtype.base_dtype.name
    if dtype not in allowed:
        raise TypeError("Value passed to parameter 'ref' of '%s' has DataType %s not in list "
                        "of allowed values: %s" % (op.type, dtype, ", ".join(allowed)))


def _apply_gd_infer(op):
    ref, alpha, delta = op.inputs
    _check_dtype(op, ref, ("float16", "float32", "float64"))  # TF1's CPU kernels
    return [_check_assignable(op, ref, delta)]


def _apply_gd_check(cell, alpha, delta):
    if cell.read().shape != delta.shape:
        raise errors.InvalidArgumentError(
            None, None, "var and delta do not have the same shape%s %s"
            % (_dims(cell.value.shape), _dims(delta.shape)))
    if alpha.ndim != 0:
        raise errors.InvalidArgumentError(None, None, "alpha is not a scalar: %s"
                                          % _dims(alpha.shape))


def _apply_gd_kernel(cell, alpha, delta):
    kernels.apply_gradient_descent(cell.value, alpha, delta)
    return cell.value


define_op("ApplyGradientDescent", _apply_gd_infer, _apply_gd_kernel, mutates=True,
          check=_apply_gd_check, aliases=True,
          fusion=Fusion("update", [(0, "{0} - {1} * {2}")], grad=2))  # var -= alpha * delta
NotDifferentiable("ApplyGradientDescent")


def apply_gradient_descent(var, alpha, delta, name=None):
    """In place: var -= alpha * delta."""
    return create_op("ApplyGradientDescent", [var, alpha, delta], {}, name)
