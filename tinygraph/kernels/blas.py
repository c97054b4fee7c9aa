"""numpy's own BLAS ``gemm``, for the one product the fusion pass folds into an update.

A gradient-descent step on a weight computes ``W - lr * (x^T @ dz)``: numpy's BLAS writes the
product to a new array and a second pass reads it back. BLAS's ``gemm`` computes
``C = alpha * op(A) @ B + beta * C`` in one call, so the update can be the product itself,
written over the weights (``alpha = -lr``, ``beta = 1``, or ``1 - lr * c`` with an L2 term).

``gemm(dtype)`` finds ``cblas_sgemm``/``cblas_dgemm`` in the OpenBLAS that numpy's wheels
bundle (named ``scipy_cblas_sgemm64_`` there: 64-bit integers) and checks it once on a small
product against ``np.dot``. Anything else (numpy built on MKL or Accelerate, a library that
is not found or answers wrongly) gives None, and the update runs as before.
"""
import ctypes
import glob
import os

import numpy as np

__all__ = ["gemm"]

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112  # CBLAS's enums
_NAMES = ("scipy_cblas_%sgemm64_", "cblas_%sgemm64_", "scipy_cblas_%sgemm", "cblas_%sgemm")
_found = {}


def gemm(dtype):
    """numpy's ``cblas_?gemm`` for ``dtype`` (float32 or float64) as a ctypes function, or
    None. Found and checked once per process."""
    dtype = np.dtype(dtype)
    if dtype not in _found:
        _found[dtype] = _find(dtype)
    return _found[dtype]


def _libraries():
    """The OpenBLAS libraries that came with numpy (its wheels keep them next to it)."""
    root = os.path.dirname(os.path.abspath(np.__file__))
    for folder in (root + ".libs", os.path.join(root, ".dylibs"), os.path.join(root, "..",
                                                                               "numpy.libs")):
        yield from sorted(glob.glob(os.path.join(folder, "*openblas*")))


def _find(dtype):
    if dtype not in (np.float32, np.float64):
        return None
    letter, real = ("s", ctypes.c_float) if dtype == np.float32 else ("d", ctypes.c_double)
    for path in _libraries():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _NAMES:
            fn = getattr(library, name % letter, None)
            if fn is None:
                continue
            index = ctypes.c_int64 if name.endswith("64_") else ctypes.c_int32
            fn.argtypes = [ctypes.c_int32] * 3 + [index] * 3 + [real, ctypes.c_void_p, index,
                                                                ctypes.c_void_p, index, real,
                                                                ctypes.c_void_p, index]
            fn.restype = None
            return fn if _answers_right(fn, dtype) else None
    return None


def _answers_right(fn, dtype):
    """One small product through ``fn``, as the fused update calls it, against numpy."""
    a = np.arange(6, dtype=dtype).reshape(3, 2)  # used transposed: 2x3
    b = np.arange(12, dtype=dtype).reshape(3, 4) - 5
    c = np.ones((2, 4), dtype)
    fn(ROW_MAJOR, TRANS, NO_TRANS, 2, 4, 3, -0.5, a.ctypes.data, 2, b.ctypes.data, 4, 2.0,
       c.ctypes.data, 4)
    return np.array_equal(c, 2.0 - 0.5 * np.dot(a.T, b))
