"""Ops on variables: VariableV2 (a reference to a session-held value) and the writers
Assign, AssignAdd, AssignSub and ApplyGradientDescent.

Values live in the Session, never in the graph: VariableV2's output is a ``*_ref`` tensor
that each session binds to its own storage cell. Reading goes through an Identity op
(``Variable/read``). Writers update the cell in place and are scheduled after pure reads
(see session.py).
"""
from .. import kernels
from ..dtypes import ref_dtype
from ..graph import create_op
from ..registry import NotDifferentiable, define_op
from .array_ops import convert_to_tensor

__all__ = ["variable_op", "assign", "assign_add", "assign_sub", "apply_gradient_descent"]


def _variable_infer(op):
    return [(op.attrs["shape"], ref_dtype(op.attrs["dtype"]))]


def _variable_bind(op, session):
    cell = session._cell(op)
    return lambda: cell


define_op("VariableV2", _variable_infer, bind=_variable_bind)
NotDifferentiable("VariableV2")


def variable_op(shape, dtype, name):
    """The VariableV2 op; ``name`` ending in "/" is used verbatim."""
    return create_op("VariableV2", [], {"shape": shape, "dtype": dtype}, name)


def _assign_infer(op):
    ref, value = op.inputs
    return [_check_assignable(op, ref, value)]


def _check_assignable(op, ref, value):
    """``value`` fits variable ``ref``: same dtype, compatible shape. Returns ref's spec."""
    if not ref.dtype.is_ref:
        raise TypeError("'%s' needs a variable as its first input, got %s" % (op.type, ref))
    if value.dtype.base_dtype != ref.dtype.base_dtype:
        raise TypeError("Input 'value' of '%s' Op has type %s that does not match type %s of "
                        "argument 'ref'." % (op.type, value.dtype.name, ref.dtype.name))
    if not ref.shape.is_compatible_with(value.shape):
        if ref.shape.ndims != value.shape.ndims:
            detail = "Shapes must be equal rank, but are %s and %s" % (
                ref.shape.ndims, value.shape.ndims)
        else:
            detail = "Dimension mismatch"
        raise ValueError("%s for '%s' (op: '%s') with input shapes: %s, %s." % (
            detail, op.name, op.type, ref.shape.bracket_str(), value.shape.bracket_str()))
    return (ref.shape, ref.dtype.base_dtype)  # the output is the new value


def _assign_kernel(cell, value):
    cell.value = value.copy()  # the variable owns its storage; never alias a feed or Const
    return cell.value


def _assign_add_kernel(cell, value):
    cell.read()[...] += value
    return cell.value


def _assign_sub_kernel(cell, value):
    cell.read()[...] -= value
    return cell.value


define_op("Assign", _assign_infer, _assign_kernel, mutates=True, aliases=True)
define_op("AssignAdd", _assign_infer, _assign_add_kernel, mutates=True, aliases=True)
define_op("AssignSub", _assign_infer, _assign_sub_kernel, mutates=True, aliases=True)
NotDifferentiable("Assign")
NotDifferentiable("AssignAdd")
NotDifferentiable("AssignSub")


def assign(ref, value, name=None):
    return create_op("Assign", [ref, convert_to_tensor(value, ref.dtype.base_dtype)], {}, name)


def assign_add(ref, value, name=None):
    return create_op("AssignAdd", [ref, convert_to_tensor(value, ref.dtype.base_dtype)], {},
                     name)


def assign_sub(ref, value, name=None):
    return create_op("AssignSub", [ref, convert_to_tensor(value, ref.dtype.base_dtype)], {},
                     name)


def _apply_gd_infer(op):
    ref, alpha, delta = op.inputs
    return [_check_assignable(op, ref, delta)]


def _apply_gd_kernel(cell, alpha, delta):
    kernels.apply_gradient_descent(cell.read(), alpha, delta)
    return cell.value


define_op("ApplyGradientDescent", _apply_gd_infer, _apply_gd_kernel, mutates=True,
          aliases=True)
NotDifferentiable("ApplyGradientDescent")


def apply_gradient_descent(var, alpha, delta, name=None):
    """In place: var -= alpha * delta."""
    return create_op("ApplyGradientDescent", [var, alpha, delta], {}, name)
