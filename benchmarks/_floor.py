"""The cold-start floor: what any numpy + numba program pays before its first kernel call."""
import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def scale(x, out):
    for i in range(x.size):
        out[i] = x[i] * np.float32(2)


if __name__ == "__main__":
    x = np.ones(100, np.float32)
    scale(x, np.empty_like(x))
