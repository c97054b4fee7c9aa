"""Linear algebra on (batches of) matrices: MatrixInverse, MatrixDeterminant, Cross,
Tensordot, ``matrix_transpose`` (a Transpose), and BatchMatMul, the batched product their
gradients are built from.

Batch dims lead: a [..., M, M] input is a batch of M x M matrices. A singular matrix is a
run-time ``InvalidArgumentError: Input is not invertible.`` as in TF1.
"""
import numpy as np

from .. import errors
from ..graph import create_op
from ..registry import RegisterGradient, define_op
from ..shapes import TensorShape
from .array_ops import convert_to_tensor, expand_dims
from . import shape_ops
from .axis_ops import transpose
from .manip_ops import concat, stack
from .matmul_ops import product_grads
from .shape_ops import python_ints, shape_error

__all__ = ["matrix_inverse", "matrix_determinant", "matrix_transpose", "cross", "tensordot",
           "batch_matmul"]

# TF1's CPU kernels: MatrixInverse and MatrixDeterminant have none for half (refused here
# when the graph is built), BatchMatMul (and so tensordot) take half and int32/int64, Cross
# every real number type.
_FLOAT = ("float32", "float64")
_MATMUL = ("float16", "float32", "float64", "int32", "int64")
_REAL = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8")


def _dtype(op, allowed, names=("x", "y")):
    first = op.inputs[0].dtype.base_dtype
    for name, t in zip(names[1:], op.inputs[1:]):
        if t.dtype.base_dtype != first:
            raise TypeError("Input '%s' of '%s' Op has type %s that does not match type %s of "
                            "argument '%s'." % (name, op.type, t.dtype.base_dtype.name,
                                                first.name, names[0]))
    if first.name not in allowed:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                        "values: %s" % (names[0], first.name, ", ".join(allowed)))
    return first


def _swap(x, adjoint):
    return np.swapaxes(x, -1, -2) if adjoint else x


# -- BatchMatMul -------------------------------------------------------------------------------
def _batch_matmul_infer(op):
    x, y = op.inputs
    dtype = _dtype(op, _MATMUL)
    if x.shape.dims is None or y.shape.dims is None:
        return [(TensorShape(None), dtype)]
    for t in (x, y):
        if t.shape.ndims < 2:
            raise shape_error(op, "Shape must be rank >= 2 but is rank %d" % t.shape.ndims)
    if x.shape.ndims != y.shape.ndims:
        raise shape_error(op, "Shape must be rank %d but is rank %d" % (x.shape.ndims,
                                                                        y.shape.ndims))
    xd, yd = list(x.shape.dims), list(y.shape.dims)
    if op.attrs["adj_x"]:
        xd[-2:] = xd[-1:-3:-1]
    if op.attrs["adj_y"]:
        yd[-2:] = yd[-1:-3:-1]
    batch = TensorShape(xd[:-2]).merge_with(TensorShape(yd[:-2])) \
        if TensorShape(xd[:-2]).is_compatible_with(TensorShape(yd[:-2])) else None
    if batch is None:
        raise shape_error(op, "Batch dimensions must be equal")
    if xd[-1] is not None and yd[-2] is not None and xd[-1] != yd[-2]:
        raise shape_error(op, "Dimensions must be equal, but are %d and %d" % (xd[-1], yd[-2]))
    return [(TensorShape(list(batch.dims) + [xd[-2], yd[-1]]), dtype)]


def _check_batch_matmul(x, y, adj_x, adj_y):
    """TF1's checks (batch_matmul_op_impl.h), in its order and with its texts."""
    def text(shape):
        return "[" + ",".join(str(d) for d in shape) + "]"
    if x.ndim != y.ndim:
        raise errors.InvalidArgumentError(None, None, "In[0] and In[1] has different ndims: "
                                          "%s vs. %s" % (text(x.shape), text(y.shape)))
    if x.ndim < 2:
        raise errors.InvalidArgumentError(None, None, "In[0] and In[1] ndims must be >= 2: %d"
                                          % x.ndim)
    for i in range(x.ndim - 2):
        if x.shape[i] != y.shape[i]:
            raise errors.InvalidArgumentError(None, None, "In[0].dim(%d) and In[1].dim(%d) must "
                                              "be the same: %s vs %s"
                                              % (i, i, text(x.shape), text(y.shape)))
    inner_x = x.shape[-2] if adj_x else x.shape[-1]
    inner_y = y.shape[-1] if adj_y else y.shape[-2]
    if inner_x != inner_y:
        raise errors.InvalidArgumentError(None, None, "In[0] mismatch In[1] shape: %d vs. %d: "
                                          "%s %s %d %d" % (inner_x, inner_y, text(x.shape),
                                                           text(y.shape), adj_x, adj_y))


def _batch_matmul_kernel(x, y, adj_x, adj_y):
    _check_batch_matmul(x, y, adj_x, adj_y)
    return np.matmul(_swap(x, adj_x), _swap(y, adj_y))


define_op("BatchMatMul", _batch_matmul_infer, _batch_matmul_kernel)


@RegisterGradient("BatchMatMul")
def _batch_matmul_grad(op, grad):
    x, y = op.inputs
    return product_grads(lambda a, b, ta, tb: batch_matmul(a, b, adj_x=ta, adj_y=tb),
                         x, y, op.attrs["adj_x"], op.attrs["adj_y"], grad)


def batch_matmul(x, y, adj_x=False, adj_y=False, name=None):
    """x @ y for batches of matrices of equal batch shape (either side transposed)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    return create_op("BatchMatMul", [x, y], {"adj_x": bool(adj_x), "adj_y": bool(adj_y)}, name)


# -- MatrixInverse and MatrixDeterminant -------------------------------------------------------
def _square_infer(op, keep):
    x = op.inputs[0]
    dtype = _dtype(op, _FLOAT, ("input",))
    dims = x.shape.dims
    if dims is None:
        return [(TensorShape(None), dtype)]
    if len(dims) < 2:
        raise shape_error(op, "Shape must be at least rank 2 but is rank %d" % len(dims))
    if dims[-1] is not None and dims[-2] is not None and dims[-1] != dims[-2]:
        raise shape_error(op, "Dimensions must be equal, but are %d and %d"
                          % (dims[-2], dims[-1]))
    return [(TensorShape(dims if keep else dims[:-2]), dtype)]


def _check_square(x):
    if x.ndim < 2:
        raise errors.InvalidArgumentError(None, None, "Input tensor 0 must have rank >= 2")
    if x.shape[-1] != x.shape[-2]:
        raise errors.InvalidArgumentError(None, None, "Input matrix must be square.")


def _inverse_kernel(x, adjoint):
    _check_square(x)
    try:
        with np.errstate(invalid="ignore", over="ignore"):
            inverse = np.linalg.inv(_swap(x, adjoint))
    except np.linalg.LinAlgError:
        raise errors.InvalidArgumentError(None, None, "Input is not invertible.") from None
    if not np.isfinite(inverse).all() and np.isfinite(x).all():
        raise errors.InvalidArgumentError(None, None, "Input is not invertible.")
    return inverse.astype(x.dtype)


define_op("MatrixInverse", lambda op: _square_infer(op, True), _inverse_kernel)


@RegisterGradient("MatrixInverse")
def _inverse_grad(op, grad):
    inverse = op.outputs[0]  # d(A^-1) = -A^-1 dA A^-1
    if op.attrs["adjoint"]:
        return [-batch_matmul(inverse, batch_matmul(grad, inverse, adj_x=True))]
    return [-batch_matmul(inverse, batch_matmul(grad, inverse, adj_y=True), adj_x=True)]


def matrix_inverse(input, adjoint=False, name=None):
    """The inverse of each [..., M, M] matrix (of its transpose when ``adjoint``)."""
    return create_op("MatrixInverse", [convert_to_tensor(input)], {"adjoint": bool(adjoint)},
                     name)


def _determinant_kernel(x):
    _check_square(x)
    with np.errstate(invalid="ignore", over="ignore"):  # NaN in, NaN out, as in TF1
        return np.asarray(np.linalg.det(x)).astype(x.dtype)


define_op("MatrixDeterminant", lambda op: _square_infer(op, False), _determinant_kernel)


@RegisterGradient("MatrixDeterminant")
def _determinant_grad(op, grad):
    # d det(A) / dA = det(A) * A^-T
    scale = expand_dims(expand_dims(grad * op.outputs[0], -1), -1)
    return [scale * matrix_inverse(op.inputs[0], adjoint=True)]


def matrix_determinant(input, name=None):
    """The determinant of each [..., M, M] matrix: shape [...]."""
    return create_op("MatrixDeterminant", [convert_to_tensor(input)], {}, name)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Swap the last two dims of ``a`` (rank >= 2; a rank unknown at build time is read
    at run time)."""
    a = convert_to_tensor(a)
    rank = a.shape.ndims
    if rank is not None and rank < 2:
        raise ValueError("Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: %s"
                         % a.shape)
    if rank is not None:
        return transpose(a, list(range(rank - 2)) + [rank - 1, rank - 2], name=name)
    r = shape_ops.rank(a)
    perm = concat([shape_ops.range(0, r - 2, 1), stack([r - 1, r - 2])], 0)
    return transpose(a, perm, name=name)


# -- Cross -------------------------------------------------------------------------------------
def _cross_infer(op):
    a, b = op.inputs
    dtype = _dtype(op, _REAL, ("a", "b"))
    if not a.shape.is_compatible_with(b.shape):
        raise shape_error(op, "Dimensions must be equal: %s vs. %s"
                          % (a.shape.bracket_str(), b.shape.bracket_str()))
    shape = a.shape.merge_with(b.shape)
    if shape.dims is not None:
        if not shape.dims:
            raise shape_error(op, "Shape must be at least rank 1 but is rank 0")
        if shape.dims[-1] not in (None, 3):
            raise shape_error(op, "Dimension must be 3 but is %d" % shape.dims[-1])
    return [(shape, dtype)]


def _cross_kernel(a, b):
    if a.shape != b.shape:
        raise errors.InvalidArgumentError(None, None, "Both inputs must be of same shape: %s "
                                          "vs. %s" % (list(a.shape), list(b.shape)))
    if a.ndim == 0 or a.shape[-1] != 3:
        raise errors.InvalidArgumentError(None, None, "Trailing dimension must be of size 3")
    return np.cross(a, b).astype(a.dtype)


define_op("Cross", _cross_infer, _cross_kernel)


@RegisterGradient("Cross")
def _cross_grad(op, grad):
    a, b = op.inputs
    return [cross(b, grad), cross(grad, a)]


def cross(a, b, name=None):
    """The cross product of 3-vectors along the last dim of two same-shape tensors."""
    return create_op("Cross", [convert_to_tensor(a), convert_to_tensor(b)], {}, name)


# -- Tensordot ---------------------------------------------------------------------------------
def _tensordot_infer(op):
    a, b = op.inputs
    dtype = _dtype(op, _MATMUL, ("a", "b"))
    axes_a, axes_b = op.attrs["axes_a"], op.attrs["axes_b"]
    da, db = a.shape.dims, b.shape.dims
    for axis, dim in zip(axes_a + axes_b, [da] * len(axes_a) + [db] * len(axes_b)):
        if not 0 <= axis < len(dim):
            raise shape_error(op, "axis %d out of range for a tensor of rank %d"
                              % (axis, len(dim)))
    for i, j in zip(axes_a, axes_b):
        if da[i] is not None and db[j] is not None and da[i] != db[j]:
            raise shape_error(op, "Dimensions must be equal, but are %d and %d"
                              % (da[i], db[j]))
    out = [d for i, d in enumerate(da) if i not in axes_a] + \
        [d for j, d in enumerate(db) if j not in axes_b]
    return [(TensorShape(out), dtype)]


def _tensordot_kernel(a, b, axes_a, axes_b):
    for i, j in zip(axes_a, axes_b):
        if a.shape[i] != b.shape[j]:
            raise errors.InvalidArgumentError(None, None, "Matrix size-incompatible: a has "
                                              "shape %s, b has shape %s, contracting axes %s "
                                              "and %s" % (list(a.shape), list(b.shape),
                                                          list(axes_a), list(axes_b)))
    return np.tensordot(a, b, (list(axes_a), list(axes_b))).astype(a.dtype)


define_op("Tensordot", _tensordot_infer, _tensordot_kernel)


@RegisterGradient("Tensordot")
def _tensordot_grad(op, grad):
    a, b = op.inputs
    axes_a, axes_b = op.attrs["axes_a"], op.attrs["axes_b"]
    free_a = [i for i in range(a.shape.ndims) if i not in axes_a]
    free_b = [j for j in range(b.shape.ndims) if j not in axes_b]
    n = len(free_a)
    # grad . b over b's free axes leaves a's free axes, then b's contracted ones in b's order
    raw_a = tensordot(grad, b, [list(range(n, n + len(free_b))), free_b])
    order_a = free_a + [axes_a[k] for k in np.argsort(axes_b)]
    raw_b = tensordot(a, grad, [free_a, list(range(n))])
    order_b = [axes_b[k] for k in np.argsort(axes_a)] + free_b
    return [transpose(raw_a, np.argsort(order_a).tolist()),
            transpose(raw_b, np.argsort(order_b).tolist())]


def tensordot(a, b, axes, name=None):
    """Sum of products over ``axes``: an int n (a's last n dims with b's first n) or a pair
    of axis lists ``[axes_a, axes_b]``. Both ranks must be known when the graph is built."""
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    if a.shape.ndims is None or b.shape.ndims is None:
        raise ValueError("tinygraph's tensordot needs inputs of known rank: %s, %s" % (a, b))
    ra, rb = a.shape.ndims, b.shape.ndims
    if isinstance(axes, (int, np.integer)):
        if not 0 <= axes <= min(ra, rb):
            raise ValueError("'axes' must be at most %d, got %d" % (min(ra, rb), axes))
        axes_a, axes_b = list(range(ra - axes, ra)), list(range(axes))
    else:
        if len(axes) != 2:
            raise ValueError("'axes' must be an integer or have length 2.")
        axes_a, axes_b = [[int(x) for x in np.atleast_1d(python_ints(ax, "axes"))]
                          for ax in axes]
        if len(axes_a) != len(axes_b):
            raise ValueError("Different number of contraction axes 'a' and 'b', %d != %d."
                             % (len(axes_a), len(axes_b)))
        axes_a = [x % ra if -ra <= x < ra else x for x in axes_a]
        axes_b = [x % rb if -rb <= x < rb else x for x in axes_b]
    attrs = {"axes_a": tuple(axes_a), "axes_b": tuple(axes_b)}
    return create_op("Tensordot", [a, b], attrs, name or "Tensordot")
