"""Hypothesis strategies for gradient tests: small shapes (size 1 included), broadcastable
pairs, and values kept inside each op's smooth domain."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
matrix_sides = st.integers(1, 4)
broadcast_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                    max_side=3)


def values(shape, low=-2.0, high=2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_nan=False))


def positive(shape):
    """Away from 0, for log, sqrt and denominators."""
    return values(shape, 0.5, 2.0)


def away_from_zero(shape):
    """|x| >= 0.1, for relu (its kink at 0 has no derivative)."""
    return hnp.arrays(np.float64, shape, elements=st.one_of(st.floats(0.1, 2.0),
                                                            st.floats(-2.0, -0.1)))


def labels(rows, classes):
    return hnp.arrays(np.int64, (rows,), elements=st.integers(0, classes - 1))
