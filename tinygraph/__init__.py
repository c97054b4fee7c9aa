"""tinygraph: a small TensorFlow-1-style deferred-execution graph library.

Build a graph (placeholders, Variables, ops), then run it in a ``Session`` with a
``feed_dict``. ``import tinygraph as tf`` runs TF1 scripts of the supported subset.
"""
from . import dtypes, errors  # noqa: F401
from .dtypes import (DType, as_dtype, bool, double, float16, float32, float64, half,  # noqa: A004
                     int8, int16, int32, int64, string, uint8)
from .gradients import gradients
from .config import ConfigProto, GPUOptions
from .graph import (Graph, Operation, Tensor, add_to_collection,
                    control_dependencies, device, get_collection, get_default_graph,
                    get_default_session, name_scope, reset_default_graph)
from .graph_keys import GraphKeys
from .ops.array_ops import (cast, constant, convert_to_tensor, expand_dims, identity, ones,
                            ones_like, placeholder, reshape, zeros, zeros_like)
from .ops.control_flow_ops import cond, group, no_op
from .ops.logging_ops import Print, print_v2 as print  # noqa: A004  (TF's public name)
from .ops.math_ops import (add, add_n, divide, equal, exp, log, multiply, negative, sqrt,
                           square, subtract, truediv)
from .ops.matmul_ops import matmul
from .ops.reduction_ops import argmax, reduce_mean, reduce_sum
from .ops.comparison_ops import (greater, greater_equal, less, less_equal, logical_and,
                                 logical_not, logical_or, logical_xor, not_equal, where)
from .ops.unary_math_ops import (abs, ceil, cos, expm1, floor, log1p, reciprocal,  # noqa: A004
                                 round, rsqrt, sign, sin, tan)
from .ops.binary_math_ops import (clip_by_value, div, floor_div, floordiv, floormod,
                                  maximum, minimum, mod, pow, realdiv,  # noqa: A004
                                  squared_difference)
from .ops.more_reduction_ops import (argmin, count_nonzero, cumsum, reduce_all, reduce_any,
                                     reduce_logsumexp, reduce_max, reduce_min, reduce_prod)
from .ops.nn_ops import sigmoid, tanh
from .ops.state_ops import assign, assign_add, assign_sub
from .ops.random_ops import random_normal, random_uniform, set_random_seed, truncated_normal
from .ops.clip_ops import clip_by_global_norm, clip_by_norm, global_norm
from .registry import NotDifferentiable, RegisterGradient
from .session import InteractiveSession, Session
from .tracing import RunMetadata, RunOptions
from .shapes import TensorShape
from .variables import (Variable, global_variables, global_variables_initializer,
                        initialize_all_variables, local_variables, local_variables_initializer,
                        trainable_variables, variables_initializer)
from .ops.shape_ops import (fill, lin_space, linspace, ones, range, rank, shape,  # noqa: A004
                            size, stop_gradient, zeros)
from .ops.manip_ops import concat, split, stack, unstack
from .ops.axis_ops import invert_permutation, reverse, reverse_v2, squeeze, transpose
from .ops.slicing import slice  # noqa: A004
from .ops.gather_ops import boolean_mask, gather
from .ops.pad_tile_ops import one_hot, pad, tile
from .ops.sampling_ops import multinomial, random_shuffle
from .ops.linalg_ops import (cross, matrix_determinant, matrix_inverse, matrix_transpose,
                             tensordot)
newaxis = None
from .init_ops import (constant_initializer, glorot_normal_initializer,
                       glorot_uniform_initializer, ones_initializer, random_normal_initializer,
                       random_uniform_initializer, truncated_normal_initializer,
                       variance_scaling_initializer, zeros_initializer)
from .variable_scope import (AUTO_REUSE, VariableScope, get_variable, get_variable_scope,
                             no_regularizer, variable_scope)
from . import kernels, logging, math, nn, test, train  # noqa: E402,F401
from . import visualize  # noqa: E402,F401
# The follow-up layers (they use the core; the core never imports them).
from . import app, contrib, flags, initializers, layers, losses, summary  # noqa: E402,F401

__version__ = "0.1.0"


kernels.prefetch()  # numba loads in the background while the caller builds and loads data


def disable_v2_behavior():
    """No-op, so that scripts written for ``tf.compat.v1`` run unchanged."""


disable_eager_execution = disable_v2_behavior

from . import compat, missing  # noqa: E402

# tf.X for a TF1 name that tinygraph lacks: "tinygraph does not implement tf.X yet"
__getattr__ = missing.namespace(__name__, "tf")
