"""The rest of tf.nn that classic scripts use: dropout, l2_normalize, bias_add, moments and
embedding_lookup.

dropout and moments are compositions (their gradients come from the ops they use); the
random keep-mask, BiasAdd, the inverse norm of l2_normalize and the embedding gather are ops.
"""
import numpy as np

from .. import kernels
from ..graph import create_op, name_scope
from ..kernels import checks
from ..registry import NotDifferentiable, RegisterGradient, define_op
from ..shapes import TensorShape
from .array_ops import convert_to_tensor
from .broadcast_ops import sum_to_shape
from .math_ops import _FLOAT, _NUMERIC, _check_dtypes, _shape_error, divide, multiply, square
from .random_ops import _seeds
from .reduction_ops import reduce_mean, reduce_sum

__all__ = ["dropout", "l2_normalize", "bias_add", "moments", "embedding_lookup"]


# -- DropoutMask: floor(keep_prob + uniform[0, 1)), 1 with probability keep_prob ------------
def _dropout_mask_infer(op):
    x, keep_prob = op.inputs
    dtype = _check_dtypes(op, ("x", "keep_prob"), _FLOAT)
    if not keep_prob.shape.is_compatible_with(TensorShape([])):
        raise ValueError("keep_prob must be a scalar tensor, got shape %s" % keep_prob.shape)
    noise_shape = op.attrs["noise_shape"]
    return [(x.shape if noise_shape is None else TensorShape(noise_shape), dtype)]


def _dropout_mask_bind(op, session):
    """Each session has its own generator, seeded as the random ops are (random_ops.py)."""
    seeds, noise_shape = op.attrs["seeds"], op.attrs["noise_shape"]
    rng = np.random.default_rng(None if seeds is None else list(seeds))

    def kernel(x, keep_prob):
        if keep_prob.ndim != 0 or not 0 < keep_prob <= 1:
            raise checks.invalid("keep_prob must be a scalar in the range (0, 1], got %s"
                                 % np.array2string(keep_prob))
        uniform = rng.random(x.shape if noise_shape is None else noise_shape)
        return np.floor(keep_prob + uniform.astype(x.dtype))
    return kernel


define_op("DropoutMask", _dropout_mask_infer, bind=_dropout_mask_bind)
NotDifferentiable("DropoutMask")


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """Keep each element with probability ``keep_prob`` (scaled by ``1 / keep_prob``), else 0.

    ``rate=`` (TF1's later spelling) is ``1 - keep_prob``. ``keep_prob`` may be a tensor, such
    as a placeholder fed 0.5 in training and 1.0 in evaluation; it is checked at run time.
    The mask is seeded like the random ops: graph seed and op ``seed``.

    Raises:
        ValueError: neither or both of keep_prob and rate, a number out of range, or a
            keep_prob that is not a scalar.
        errors.InvalidArgumentError: at run time, a keep_prob outside (0, 1].
    """
    if (keep_prob is None) == (rate is None):
        raise ValueError("Specify exactly one of keep_prob and rate")
    with name_scope(name, "dropout", [x]):
        x = convert_to_tensor(x)
        if rate is not None:
            if isinstance(rate, (int, float)) and not 0 <= rate < 1:
                raise ValueError("rate must be a scalar tensor or a float in the range [0, 1),"
                                 " got %g" % rate)
            keep_prob = 1 - rate if isinstance(rate, (int, float)) else (
                1 - convert_to_tensor(rate, dtype=x.dtype.base_dtype))
        if isinstance(keep_prob, (int, float)):
            if not 0 < keep_prob <= 1:
                raise ValueError("keep_prob must be a scalar tensor or a float in the range "
                                 "(0, 1], got %g" % keep_prob)
            if keep_prob == 1:  # as TF1: nothing to drop, no op
                return x
        keep_prob = convert_to_tensor(keep_prob, dtype=x.dtype.base_dtype)
        attrs = {"seeds": _seeds(seed),
                 "noise_shape": None if noise_shape is None else tuple(map(int, noise_shape))}
        mask = create_op("DropoutMask", [x, keep_prob], attrs)
        result = divide(x, keep_prob, name="div") * mask
        result.set_shape(x.shape)  # keep_prob is a scalar, as TF1 says here too
        return result


# -- L2InvNorm: 1 / sqrt(max(square_sum, epsilon)) ------------------------------------------
# TF1 builds this from Maximum and Rsqrt; it is one op here until those exist in the core.
define_op("L2InvNorm", lambda op: [(op.inputs[0].shape, _check_dtypes(op, ("x",), _FLOAT))],
          lambda s, epsilon: 1 / np.sqrt(np.maximum(s, s.dtype.type(epsilon))))


@RegisterGradient("L2InvNorm")
def _l2_inv_norm_grad(op, grad):
    """-y**3 / 2 where square_sum > epsilon (ReluGrad masks it), else 0: y is constant."""
    s, y = op.inputs[0], op.outputs[0]
    return [create_op("ReluGrad", [grad * -0.5 * y * y * y, s - op.attrs["epsilon"]], {})]


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x**2, axis), epsilon)); ``axis`` None means all axes."""
    axis = dim if axis is None else axis
    with name_scope(name, "l2_normalize", [x]) as scope:
        x = convert_to_tensor(x)
        square_sum = reduce_sum(square(x), axis, keepdims=True)
        inv_norm = create_op("L2InvNorm", [square_sum], {"epsilon": float(epsilon)})
        return multiply(x, inv_norm, name=scope)


# -- BiasAdd --------------------------------------------------------------------------------
def _bias_add_infer(op):
    value, bias = op.inputs
    dtype = _check_dtypes(op, ("value", "bias"), _NUMERIC)
    vs, bs = value.shape, bias.shape
    if vs.ndims is not None and vs.ndims < 2:
        raise _shape_error(op, vs, bs, "Shape must be at least rank 2 but is rank %d"
                           % vs.ndims)
    if bs.ndims is not None and bs.ndims != 1:
        raise _shape_error(op, vs, bs, "Shape must be rank 1 but is rank %d" % bs.ndims)
    if vs.dims is None:
        return [(vs, dtype)]
    last, k = vs.dims[-1], bs.dims[0] if bs.dims else None
    if last is not None and k is not None and last != k:
        raise _shape_error(op, vs, bs, "Dimensions must be equal, but are %d and %d" % (last, k))
    return [(TensorShape(list(vs.dims[:-1]) + [last if last is not None else k]), dtype)]


def _bias_add_kernel(value, bias):
    return kernels.bias_add(value, bias)  # both twins check the sizes (checks.bias_add)


define_op("BiasAdd", _bias_add_infer, _bias_add_kernel)


@RegisterGradient("BiasAdd")
def _bias_add_grad(op, grad):
    return [grad, sum_to_shape(grad, op.inputs[1])]  # TF1's BiasAddGrad: sum all but last


def bias_add(value, bias, data_format=None, name=None):
    """value + bias, bias a vector along the last axis of a value of rank >= 2 (NHWC)."""
    if data_format not in (None, "NHWC"):
        raise ValueError("bias_add supports data_format 'NHWC' only, got %r" % data_format)
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        value = convert_to_tensor(value)
        bias = convert_to_tensor(bias, dtype=value.dtype.base_dtype)
        return create_op("BiasAdd", [value, bias], {}, scope)


# -- moments (a composition) ----------------------------------------------------------------
def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """(mean, variance) of ``x`` over ``axes``; variance = mean((x - mean)**2).

    ``shift`` is accepted and unused, as in TF1's later versions.
    """
    keep = bool(keep_dims if keepdims is None else keepdims)
    with name_scope(name, "moments", [x]):
        x = convert_to_tensor(x)
        mean = reduce_mean(x, axes, keepdims=True, name="mean")
        variance = reduce_mean(square(x - mean), axes, keepdims=keep, name="variance")
        if not keep:  # summing the size-1 axes drops them (TF1 squeezes)
            mean = reduce_sum(mean, axes, name="Squeeze")
        return mean, variance


# -- EmbeddingLookup: rows of params picked by ids ------------------------------------------
def _embedding_lookup_infer(op):
    params, ids = op.inputs
    if ids.dtype.base_dtype.name not in ("int32", "int64"):
        raise TypeError("Value passed to parameter 'indices' has DataType %s not in list of "
                        "allowed values: int32, int64" % ids.dtype.base_dtype.name)
    if params.shape.ndims == 0:
        raise ValueError("Shape must be at least rank 1 but is rank 0 for '%s' (op: "
                         "'EmbeddingLookup')" % op.name)
    if params.shape.dims is None or ids.shape.dims is None:
        return [(TensorShape(None), params.dtype.base_dtype)]
    return [(TensorShape(list(ids.shape.dims) + list(params.shape.dims[1:])),
             params.dtype.base_dtype)]


def _check_ids(params, ids):
    if params.ndim == 0:
        raise checks.invalid("params must be at least 1 dimensional")
    bad = np.flatnonzero((ids < 0) | (ids >= params.shape[0]))
    if bad.size:
        where = np.unravel_index(bad[0], ids.shape)
        raise checks.invalid("indices[%s] = %d is not in [0, %d)" % (
            ",".join(str(int(i)) for i in where), ids.reshape(-1)[bad[0]], params.shape[0]))


def _embedding_lookup_kernel(params, ids):
    _check_ids(params, ids)
    return np.take(params, ids, axis=0)


define_op("EmbeddingLookup", _embedding_lookup_infer, _embedding_lookup_kernel)


@RegisterGradient("EmbeddingLookup")
def _embedding_lookup_grad(op, grad):
    params, ids = op.inputs
    return [create_op("EmbeddingLookupGrad", [grad, ids, params], {}), None]


def _embedding_lookup_grad_infer(op):
    return [(op.inputs[2].shape, _check_dtypes(op, ("grad",), _NUMERIC))]


def _embedding_lookup_grad_kernel(grad, ids, params):
    """Each row of ``grad`` added into the row of params that its id picked (dense)."""
    _check_ids(params, ids)
    if grad.shape != ids.shape + params.shape[1:]:
        raise checks.invalid("The gradient of an embedding lookup must have shape %s, got %s"
                             % (checks.dims(ids.shape + params.shape[1:]),
                                checks.dims(grad.shape)))
    out = np.zeros(params.shape, grad.dtype)
    np.add.at(out, ids.reshape(-1), grad.reshape((-1,) + params.shape[1:]))
    return out


define_op("EmbeddingLookupGrad", _embedding_lookup_grad_infer, _embedding_lookup_grad_kernel)


@RegisterGradient("EmbeddingLookupGrad")
def _embedding_lookup_grad_grad(op, grad):
    return [create_op("EmbeddingLookup", [grad, op.inputs[1]], {}), None, None]


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None):
    """``params[ids]``: the rows of ``params`` (one tensor or a list of one) picked by ``ids``.

    Raises:
        ValueError: several shards or ``max_norm`` (not supported), scalar params.
        TypeError: ids that are not int32/int64.
        errors.InvalidArgumentError: at run time, an id outside [0, rows).
    """
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise ValueError("embedding_lookup supports one params tensor, not %d shards"
                             % len(params))
        params = params[0]
    if max_norm is not None:
        raise ValueError("embedding_lookup does not support max_norm")
    with name_scope(name, "embedding_lookup", [params, ids]) as scope:
        params = convert_to_tensor(params)
        ids = convert_to_tensor(ids)
        return create_op("EmbeddingLookup", [params, ids], {}, scope)

