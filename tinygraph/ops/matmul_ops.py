"""MatMul, the product of two matrices (``matmul`` hands rank 3 or more to linalg_ops'
BatchMatMul)."""
import numpy as np

from .. import errors
from ..graph import create_op
from ..registry import RegisterGradient, define_op
from ..shapes import TensorShape
from .math_ops import _check_dtypes, _convert_pair, _dims_text, _shape_error

__all__ = ["matmul"]

_MATMUL = ("float16", "float32", "float64", "int32", "int64")


# -- MatMul ---------------------------------------------------------------------------------
def _matmul_infer(op):
    a, b = op.inputs
    dtype = _check_dtypes(op, ("a", "b"), _MATMUL)
    for t in (a, b):
        if t.shape.ndims is not None and t.shape.ndims != 2:
            raise _shape_error(op, a.shape, b.shape,
                               "Shape must be rank 2 but is rank %d" % t.shape.ndims)
    a_dims = a.shape.dims or (None, None)
    b_dims = b.shape.dims or (None, None)
    if op.attrs["transpose_a"]:
        a_dims = a_dims[::-1]
    if op.attrs["transpose_b"]:
        b_dims = b_dims[::-1]
    if a_dims[1] is not None and b_dims[0] is not None and a_dims[1] != b_dims[0]:
        raise _shape_error(op, a.shape, b.shape, "Dimensions must be equal, but are %d and %d"
                           % (a_dims[1], b_dims[0]))
    return [(TensorShape([a_dims[0], b_dims[1]]), dtype)]


def _matmul_kernel(a, b, transpose_a, transpose_b):
    if a.ndim != 2 or b.ndim != 2:  # np.dot would take vectors and stacks of matrices
        i, t = (0, a) if a.ndim != 2 else (1, b)
        raise errors.InvalidArgumentError(None, None, "In[%d] is not a matrix. Instead it has "
                                          "shape %s" % (i, _dims_text(t.shape)))
    try:
        return np.dot(a.T if transpose_a else a, b.T if transpose_b else b)
    except ValueError:  # numpy checks the inner sizes anyway: no cost when they agree
        raise errors.InvalidArgumentError(
            None, None, "Matrix size-incompatible: In[0]: %s, In[1]: %s"
            % (_dims_text(a.shape), _dims_text(b.shape))) from None


define_op("MatMul", _matmul_infer, _matmul_kernel)


def product_grads(product, a, b, ta, tb, grad):
    """The gradients of ``product(a, b, ta, tb)`` (a matrix product, either side
    transposed) for ``a`` and ``b``, made of the same product: TF1's four cases."""
    if not ta and not tb:
        return [product(grad, b, False, True), product(a, grad, True, False)]
    if ta and not tb:
        return [product(b, grad, False, True), product(a, grad, False, False)]
    if not ta and tb:
        return [product(grad, b, False, False), product(grad, a, True, False)]
    return [product(b, grad, True, True), product(grad, a, True, True)]


@RegisterGradient("MatMul")
def _matmul_grad(op, grad):
    a, b = op.inputs
    return product_grads(lambda x, y, tx, ty: matmul(x, y, transpose_a=tx, transpose_b=ty),
                         a, b, op.attrs["transpose_a"], op.attrs["transpose_b"], grad)


def matmul(a, b, transpose_a=False, transpose_b=False, name=None):
    """Matrix product of two rank-2 tensors, optionally transposing either first; of rank 3
    or more, a batch of products (``BatchMatMul``, equal batch dims), as TF1."""
    a, b = _convert_pair(a, b)
    if (a.shape.ndims or 0) > 2 or (b.shape.ndims or 0) > 2:
        from .linalg_ops import batch_matmul
        return batch_matmul(a, b, adj_x=transpose_a, adj_y=transpose_b, name=name)
    return create_op("MatMul", [a, b], {"transpose_a": bool(transpose_a),
                                        "transpose_b": bool(transpose_b)}, name)
