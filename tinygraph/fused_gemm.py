"""The call of a fused gradient-descent update whose gradient is a matrix product (the
group that ``fusion._gemm_update`` makes): one BLAS ``gemm`` over the weights where that is
faster and computes the same thing, else the product and one pass of the update. The other
fused calls are in ``fused_kernels.py``.
"""
import numpy as np

__all__ = ["GemmUpdateKernel"]


class GemmUpdateKernel:
    """The call for a gradient-descent update of a weight whose gradient is a matrix product,
    ``W - lr * (a^T @ b [+ W * c])``, for one combination of input shapes. The group is what
    ``fusion._gemm_update`` found::

        [MatMul(a, b, transpose_a=True), ApplyGradientDescent(W, lr, product)]
        [MatMul(a, b, transpose_a=True), Mul(read of W, c), AddN, ApplyGradientDescent]

    Where it pays (``_gemm_pays``), one BLAS ``gemm`` over W (``kernels/blas.py``):
    ``W * (1 - lr * c) - lr * (a^T @ b)``, the ops' value up to rounding (a few units in the
    last place, as the order of BLAS's sums is anyway). Elsewhere, or without such a BLAS,
    the product (the MatMul's own kernel) and one pass of the update over W, with the ops'
    arithmetic in the ops' order: the unfused result, bit for bit.
    """

    @staticmethod
    def build(group, arrays):
        from .kernels import blas
        matmul, write = next(op for op in group.ops if op.type == "MatMul"), group.write
        var = arrays[group._ref]
        dtype = np.dtype(group.dtype)
        index = {t: k for k, t in enumerate(group.inputs)}
        a, b = arrays[index[matmul.inputs[0]]], arrays[index[matmul.inputs[1]]]
        lr = arrays[index[write.inputs[1]]]
        mul = next((op for op in group.ops if op.type == "Mul"), None)
        factor = None if mul is None else next(t for t in mul.inputs if t in index and
                                               index[t] not in group.in_place_reads)
        scalars = [lr] + ([] if factor is None else [arrays[index[factor]]])
        if a.ndim != 2 or b.ndim != 2 or var.ndim != 2 or 0 in a.shape + b.shape or \
                b.shape[0] != a.shape[0] or var.shape != (a.shape[1], b.shape[1]) or \
                any(x.dtype != dtype for x in [a, b, var] + scalars) or \
                any(np.shape(x) != () for x in scalars) or \
                any(arrays[k].shape != var.shape for k in group.in_place_reads):
            return None  # the ops one by one raise the errors TF1 raises
        gemm = blas.gemm(dtype) if _gemm_pays(a.shape[1], b.shape[1], a.shape[0]) else None
        return GemmUpdateKernel(group, index[matmul.inputs[0]], index[matmul.inputs[1]],
                                index[write.inputs[1]],
                                None if factor is None else index[factor], gemm,
                                group._fns[group.ops.index(matmul)])

    def __init__(self, group, a, b, lr, factor, gemm, product):
        self.group, self.a, self.b, self.lr, self.factor, self.gemm, self.product = \
            group, a, b, lr, factor, gemm, product

    def cached(self):
        return True  # the kernels are compiled with the other kernels

    def load(self):
        """``call(values) -> W``; the shapes were checked by ``build``."""
        from .kernels.numba_impl import _axpy_inplace, _decay_axpy_inplace, gemm_update
        group, gemm, product, ia, ib, il, ic = self.group, self.gemm, self.product, self.a, \
            self.b, self.lr, self.factor
        ref, unfused = group._ref, group._run_unfused
        scalar = np.dtype(group.dtype).type
        one = scalar(1)

        def call(values):
            a, b, w = values[ia], values[ib], values[ref].value
            fa, fb = a.flags, b.flags
            if not (fa.c_contiguous and fb.c_contiguous and fa.aligned and fb.aligned and
                    w.flags.c_contiguous):
                return unfused(values)  # (a variable's storage is C-ordered and aligned)
            lr = scalar(values[il])
            c = None if ic is None else scalar(values[ic])
            if gemm is not None and lr != 0 and _beta_holds(lr, c) and \
                    gemm_update(gemm, a, b, w, -lr, one if c is None else one - lr * c):
                return w
            # lr 0: BLAS skips the product, and with it a NaN in a or b; 1 - lr * c 0, or
            # too close to 1 to hold the decay; W overlapping a or b: the product, then a pass
            p = product(a, b).reshape(-1)
            done = _axpy_inplace(w.reshape(-1), lr, p) if c is None else \
                _decay_axpy_inplace(w.reshape(-1), lr, p, c)
            return w if done else unfused(values)  # (sizes changed meanwhile: the ops say)
        call.uses_gemm = gemm is not None  # (for tests and the curious)
        return call


def _beta_holds(lr, c):
    """gemm's ``beta = 1 - lr * c``, rounded to the dtype, keeps the decay ``lr * c`` to
    0.1 %, and is not 0 (gemm would not read W). In float32 the numbers just below 1 are
    6e-8 apart: with lr * c = 1e-7 the rounded beta would decay W 19 % too fast, and below
    3e-8 not at all; the product and a pass keep the ops' arithmetic instead."""
    if c is None:
        return True
    decay = float(lr) * float(c)
    beta = type(lr)(1) - lr * c
    return beta != 0 and abs((1.0 - float(beta)) - decay) <= 1e-3 * abs(decay)


def _gemm_pays(m, n, k):
    """Whether one gemm with beta != 0 beats the product (np.dot, beta 0) and a pass of the
    update, for W of shape (m, n) and a batch of k rows, on numpy's OpenBLAS. Measured
    (benchmarks/README.md, "The update as one gemm"): with beta != 0, OpenBLAS adds ~10 us
    to a product whose n is not a multiple of 8, which the saved pass repays only for a large
    product (the article's 3072x10 weights from batch ~100 on, not at batch 10); with n a
    multiple of 8 gemm is 0.35-0.95x the two at every size tried."""
    if n % 8 == 0:
        return True
    return n >= 4 and k >= 64 and m * n >= 16384
