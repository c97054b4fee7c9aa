"""The one place where numba flags live: ``@jit`` = lazy ``njit`` with an on-disk cache.

numba's ``cache=True`` needs a writable directory. It tries ``$NUMBA_CACHE_DIR``, the
package's ``__pycache__`` and ``~/.cache/numba``; when none is writable (a read-only install
with a read-only home) decoration itself raises. Then we try tinygraph's own cache dir, and
as a last resort compile without a cache, warning once.
"""
import os
import warnings

import numba

FLAGS = dict(cache=True, nogil=True, error_model="numpy")
_warned = []


def _fallback_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tinygraph", "numba")


def jit(fn):
    try:
        return numba.njit(**FLAGS)(fn)
    except RuntimeError as first_error:  # "cannot cache function ...: no locator available"
        saved = numba.config.CACHE_DIR
        try:
            numba.config.CACHE_DIR = _fallback_cache_dir()
            os.makedirs(numba.config.CACHE_DIR, exist_ok=True)
            return numba.njit(**FLAGS)(fn)
        except (RuntimeError, OSError):
            if not _warned:
                _warned.append(True)
                warnings.warn("tinygraph: numba cannot cache compiled kernels (%s); they will "
                              "be compiled in every process. Set NUMBA_CACHE_DIR to a writable "
                              "directory to fix this." % first_error, RuntimeWarning,
                              stacklevel=2)
            flags = dict(FLAGS, cache=False)
            return numba.njit(**flags)(fn)
        finally:
            numba.config.CACHE_DIR = saved
