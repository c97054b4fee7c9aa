"""Kernel backend selection: numba (default) or the plain-numpy reference.

``TINYGRAPH_NUMBA=0`` selects the reference kernels. The backend is loaded on first use,
not at import, so ``import tinygraph`` neither imports numba nor compiles anything. Ops
call ``kernels.<name>(...)``; after the first lookup each name is a plain module attribute.
"""
import os
import warnings

NAMES = ("sparse_xent", "sum_to_shape", "relu", "relu_grad", "argmax", "equal",
         "apply_gradient_descent", "bias_add")
backend = None  # "numba" or "reference" once loaded


def use(name):
    """Load backend ``name`` ("numba" or "reference") and expose its kernels here.

    Sessions bind kernels when they compile a plan, so plans compiled before a switch keep
    the kernels they had.
    """
    global backend
    if name == "numba":
        try:
            from . import numba_impl as module
        except ImportError as e:
            warnings.warn("tinygraph: numba is not available (%s); using the numpy reference "
                          "kernels." % e, RuntimeWarning, stacklevel=3)
            return use("reference")
    elif name == "reference":
        from . import reference as module
    else:
        raise ValueError("unknown kernel backend %r; use 'numba' or 'reference'" % name)
    globals().update({n: getattr(module, n) for n in NAMES})
    backend = name
    return module


def __getattr__(name):
    if name in NAMES:
        use("reference" if os.environ.get("TINYGRAPH_NUMBA", "1") == "0" else "numba")
        return globals()[name]
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
