"""The optimizers' updates: ApplyMomentum, ApplyAdam, ApplyAdagrad, ApplyRMSProp and
ApplyCenteredRMSProp, each one write op whose kernel makes one pass over the variable and
its slots (TF1's training_ops, with its formulas: see kernels/reference.py).

Like ApplyGradientDescent (state_ops.py), each op's first input is the variable; its slots
follow as reference inputs, and ``writes`` lists them all, so the plan's rules cover the
slots too: a value read from a slot before the update is kept (copied) if it is still
needed, and the check before the first write of a run checks every slot (initialized,
same shape), so a failing run leaves the variable and its slots as they were.
"""
import numpy as np

from .. import errors, kernels
from ..kernels import checks
from ..graph import create_op
from ..registry import Fusion, NotDifferentiable, define_op
from .array_ops import convert_to_tensor
from .state_ops import _check_assignable, _check_dtype

__all__ = ["apply_momentum", "apply_adam", "apply_adagrad", "apply_rms_prop",
           "apply_centered_rms_prop", "sparse_apply_momentum", "sparse_apply_rms_prop",
           "sparse_apply_centered_rms_prop"]


def _define_update(op_type, slots, scalars, kernel, fusion=None, sparse=False):
    """Register one update op. Its inputs are ``var, *slots, *scalars-and-grad`` in TF1's
    order (``scalars`` names the others, "grad" among them); ``kernel`` is the
    ``kernels`` function, called with the arrays in that order.

    ``sparse``: TF1's SparseApply* form, for a gradient that TF1 passes as IndexedSlices
    (a gather's): one more input, ``indices``, and only those rows of the variable and its
    slots are updated, with the rows of the (dense, duplicates summed) ``grad``."""
    names = ["var"] + list(slots) + list(scalars) + (["indices"] if sparse else [])
    refs = range(1 + len(slots))

    def infer(op):
        var = op.inputs[0]
        _check_dtype(op, var, ("float16", "float32", "float64"))  # TF1's CPU kernels
        for name, t in zip(names[1:], op.inputs[1:]):
            if name == "indices" and t.dtype.base_dtype.name in ("int32", "int64"):
                continue
            if t.dtype.base_dtype != var.dtype.base_dtype:
                raise TypeError("Input '%s' of '%s' Op has type %s that does not match type "
                                "%s of argument 'var'." % (name, op.type, t.dtype.name,
                                                           var.dtype.name))
            if name in slots:
                if not t.dtype.is_ref:
                    raise TypeError("'%s' needs a variable as its input '%s', got %s"
                                    % (op.type, name, t))
                _check_assignable(op, var, t)
            elif name == "grad":
                _check_assignable(op, var, t)
            elif name == "indices":
                continue
            elif t.shape.ndims not in (None, 0):
                raise ValueError("Shape must be rank 0 but is rank %d for '%s' (op: '%s'): "
                                 "input '%s'" % (t.shape.ndims, op.name, op.type, name))
        return [(var.shape, var.dtype.base_dtype)]

    def check(*values, **attrs):
        cells = values[:len(refs)]
        if len({id(c) for c in cells}) != len(cells):
            raise errors.InvalidArgumentError(
                None, None, "%s needs a different variable for each of %s"
                % (op_type, ", ".join(names[:len(refs)])))
        arrays = [c.read() for c in cells] + list(values[len(refs):])  # initialized?
        checks.apply_update(
            [(n, a) for n, a in zip(names, arrays) if n not in slots and n not in
             ("var", "grad", "indices")],
            arrays[0], [(n, a) for n, a in zip(names, arrays) if n in slots],
            arrays[names.index("grad")])
        if sparse:
            _check_rows(arrays[0], arrays[-1])

    def run(*values, **attrs):
        cells = values[:len(refs)]
        if not sparse:
            getattr(kernels, kernel)(*[c.value for c in cells], *values[len(refs):], **attrs)
            return cells[0].value
        rows = np.unique(values[-1].reshape(-1))
        parts = [c.value[rows] for c in cells]
        rest = list(values[len(refs):-1])
        at = names.index("grad") - len(refs)
        rest[at] = rest[at][rows]
        getattr(kernels, kernel)(*parts, *rest, **attrs)
        for cell, part in zip(cells, parts):
            cell.value[rows] = part
        return cells[0].value

    define_op(op_type, infer, run, mutates=True, check=check, aliases=(0,), writes=tuple(refs),
              fusion=fusion)
    NotDifferentiable(op_type)


def _check_rows(var, indices):
    """TF1's SparseApply* check: every index picks a row of the variable."""
    if var.ndim == 0:
        raise errors.InvalidArgumentError(None, None, "var must be at least 1 dimensional")
    flat = indices.reshape(-1)
    bad = np.flatnonzero((flat < 0) | (flat >= var.shape[0]))
    if bad.size:
        raise errors.InvalidArgumentError(None, None, "Index %d at offset %d in indices is out "
                                          "of range" % (flat[bad[0]], bad[0]))


_define_update("SparseApplyMomentum", ["accum"], ["lr", "grad", "momentum"], "apply_momentum",
               sparse=True)


# The element formulas for the fusion pass: kernels/numba_updates.py's loops, in their order.
def _momentum_fusion(attrs):  # var, accum, lr, grad, momentum
    if attrs.get("use_nesterov"):
        return [(1, "{1} * {4} + {3}"), (0, "{0} - ({3} * {2} + {1} * {4} * {2})")]
    return [(1, "{1} * {4} + {3}"), (0, "{0} - {1} * {2}")]


_ADAM_FUSION = [  # var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad
    (1, "{1} + ({9} - {1}) * ({T}(1) - {6})"),
    (2, "{2} + ({9} * {9} - {2}) * ({T}(1) - {7})"),
    (0, "{0} - {1} * ({5} * np.sqrt({T}(1) - {4}) / ({T}(1) - {3})) / (np.sqrt({2}) + {8})")]

_define_update("ApplyMomentum", ["accum"], ["lr", "grad", "momentum"], "apply_momentum",
               Fusion("update", _momentum_fusion, grad=3))
_define_update("ApplyAdam", ["m", "v"], ["beta1_power", "beta2_power", "lr", "beta1", "beta2",
                                         "epsilon", "grad"], "apply_adam",
               Fusion("update", _ADAM_FUSION, grad=9))
_define_update("ApplyAdagrad", ["accum"], ["lr", "grad"], "apply_adagrad")
_define_update("ApplyRMSProp", ["ms", "mom"], ["lr", "rho", "momentum", "epsilon", "grad"],
               "apply_rms_prop")
_define_update("ApplyCenteredRMSProp", ["mg", "ms", "mom"],
               ["lr", "rho", "momentum", "epsilon", "grad"], "apply_centered_rms_prop")
_define_update("SparseApplyRMSProp", ["ms", "mom"], ["lr", "rho", "momentum", "epsilon", "grad"],
               "apply_rms_prop", sparse=True)
_define_update("SparseApplyCenteredRMSProp", ["mg", "ms", "mom"],
               ["lr", "rho", "momentum", "epsilon", "grad"], "apply_centered_rms_prop",
               sparse=True)


def apply_momentum(var, accum, lr, grad, momentum, use_nesterov=False, name=None):
    """In place: accum = accum * momentum + grad; var -= lr * accum (or Nesterov's step)."""
    return create_op("ApplyMomentum", [var, accum, lr, grad, momentum],
                     {"use_nesterov": True} if use_nesterov else {}, name)


def sparse_apply_momentum(var, accum, lr, grad, momentum, indices, use_nesterov=False,
                          name=None):
    """``apply_momentum`` on the rows ``indices`` of var and accum only (``grad`` dense)."""
    return create_op("SparseApplyMomentum", [var, accum, lr, grad, momentum,
                                             convert_to_tensor(indices)],
                     {"use_nesterov": True} if use_nesterov else {}, name)


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
               name=None):
    """In place: Adam's update of var, m and v (beta powers as given: the caller updates
    them afterwards)."""
    return create_op("ApplyAdam", [var, m, v, beta1_power, beta2_power, lr, beta1, beta2,
                                   epsilon, grad], {}, name)


def apply_adagrad(var, accum, lr, grad, name=None):
    """In place: accum += grad^2; var -= lr * grad / sqrt(accum)."""
    return create_op("ApplyAdagrad", [var, accum, lr, grad], {}, name)


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, name=None):
    """In place: RMSProp's update of var, ms (mean square) and mom."""
    return create_op("ApplyRMSProp", [var, ms, mom, lr, rho, momentum, epsilon, grad], {},
                     name)


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, name=None):
    """In place: centered RMSProp's update of var, mg (mean gradient), ms and mom."""
    return create_op("ApplyCenteredRMSProp",
                     [var, mg, ms, mom, lr, rho, momentum, epsilon, grad], {}, name)


def sparse_apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, indices, name=None):
    """``apply_rms_prop`` on the rows ``indices`` of var, ms and mom only (``grad`` dense)."""
    return create_op("SparseApplyRMSProp", [var, ms, mom, lr, rho, momentum, epsilon, grad,
                                            convert_to_tensor(indices)], {}, name)


def sparse_apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, indices,
                                   name=None):
    """``apply_centered_rms_prop`` on the rows ``indices`` only (``grad`` dense)."""
    return create_op("SparseApplyCenteredRMSProp",
                     [var, mg, ms, mom, lr, rho, momentum, epsilon, grad,
                      convert_to_tensor(indices)], {}, name)
