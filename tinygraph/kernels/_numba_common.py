"""What numba_impl.py and numba_updates.py share: the dtypes their jitted paths take, and
the error for a jitted kernel that refuses sizes its wrapper had checked."""
import numpy as np

# The dtypes the jitted paths take; others (float16, int8, int16, uint8, strings) go to
# the numpy reference: numba has no float16 arithmetic, and no object arrays.
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_NUMBERS = _FLOATS + (np.dtype(np.int32), np.dtype(np.int64))


def _refused():
    """A jitted kernel refused sizes that its wrapper had checked: a tinygraph bug."""
    return RuntimeError("a numba kernel refused the sizes of its arguments")
