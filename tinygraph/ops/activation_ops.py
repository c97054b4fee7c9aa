"""More activations (tf.nn): softplus, softsign, elu, relu6, leaky_relu and log_softmax.

Each is one op with TF1's type, kernel formula and gradient, including the values at kinks:
relu6'(0) = relu6'(6) = 0, elu'(0) = 1, leaky_relu'(0) = alpha. Where TF1's gradient needs a
mask, a small internal gradient op (EluGrad, Relu6Grad, LeakyReluGrad) applies it, as in TF1.
NaN in gives NaN out, silently.
"""
import functools

import numpy as np

from .. import dtypes
from ..graph import create_op
from ..kernels import checks
from ..kernels.reference import half_in_float32
from ..registry import RegisterGradient, define_op
from .array_ops import cast, convert_to_tensor
from .math_ops import (_FLOAT, _NUMERIC, _check_dtypes, _float_unary_infer, _unary_infer, exp,
                       square)
from .nn_ops import along_axis, relu, sigmoid
from .reduction_ops import reduce_sum

__all__ = ["softplus", "softsign", "elu", "relu6", "leaky_relu", "log_softmax"]


def _same_shape_grad_infer(op):
    """Internal gradient ops ``f(gradients, features)``: one float dtype, the input's shape."""
    return [(op.inputs[0].shape.merge_with(op.inputs[1].shape),
             _check_dtypes(op, ("gradients", "features"), _FLOAT))]


def _named(kernel):
    """A bind that tells ``kernel`` the op's name (TF1's shape error names the op)."""
    return lambda op, session: functools.partial(kernel, name=op.name)


def _abs(x):
    """|x| from public ops: relu(x) + relu(-x) is exactly |x| (one term is 0), and its
    gradient is sign(x), 0 at 0 as TF1's Abs."""
    return relu(x) + relu(-x)


# -- Softplus -------------------------------------------------------------------------------
def _softplus_kernel(x):
    """log(1 + exp(x)) as TF1's kernel: x above -threshold, exp(x) below threshold."""
    threshold = np.log(np.finfo(x.dtype).eps) + 2  # -13.9 for float32, -34 for float64
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(x)
        out = np.where(x > -threshold, x, np.where(x < threshold, e, np.log1p(e)))
    return out.astype(x.dtype, copy=False)


define_op("Softplus", _float_unary_infer, _softplus_kernel)


@RegisterGradient("Softplus")
def _softplus_grad(op, grad):
    return [grad * sigmoid(op.inputs[0])]  # TF1: grad / (1 + exp(-x))


def softplus(features, name=None):
    """log(exp(features) + 1)."""
    return create_op("Softplus", [convert_to_tensor(features)], {}, name)


# -- Softsign -------------------------------------------------------------------------------
def _softsign_kernel(x):
    return x / (1 + np.abs(x))


define_op("Softsign", _float_unary_infer, _softsign_kernel)


@RegisterGradient("Softsign")
def _softsign_grad(op, grad):
    return [grad / square(1 + _abs(op.inputs[0]))]  # TF1's SoftsignGrad


def softsign(features, name=None):
    """features / (abs(features) + 1)."""
    return create_op("Softsign", [convert_to_tensor(features)], {}, name)


# -- Elu ------------------------------------------------------------------------------------
def _elu_kernel(x):
    with np.errstate(over="ignore"):
        return np.where(x < 0, np.expm1(x), x).astype(x.dtype, copy=False)


define_op("Elu", _float_unary_infer, _elu_kernel)


@RegisterGradient("Elu")
def _elu_grad(op, grad):
    return [create_op("EluGrad", [grad, op.outputs[0]], {})]


def _elu_grad_kernel(grad, y, name="EluGrad"):
    """grad * (y + 1) where the output y < 0 (that is exp(x)), else grad: 1 at x = 0."""
    checks.same_shape("EluGrad", name, grad, y)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(y < 0, grad * (y + 1), grad)


define_op("EluGrad", _same_shape_grad_infer, _elu_grad_kernel,
          bind=_named(_elu_grad_kernel))


@RegisterGradient("EluGrad")
def _elu_grad_grad(op, grad):
    gradients, y = op.inputs
    # d/dy of grad * (y + 1) on y < 0 is grad; ReluGrad(v, -y) is v where y < 0, else 0.
    return [create_op("EluGrad", [grad, y], {}),
            create_op("ReluGrad", [grad * gradients, -y], {})]


def elu(features, name=None):
    """exp(features) - 1 if features < 0, else features."""
    return create_op("Elu", [convert_to_tensor(features)], {}, name)


# -- Relu6 ----------------------------------------------------------------------------------
def _relu6_kernel(x):
    return np.minimum(np.maximum(x, x.dtype.type(0)), x.dtype.type(6))


define_op("Relu6", _unary_infer, _relu6_kernel)  # every real type, as TF1 (Relu too)


@RegisterGradient("Relu6")
def _relu6_grad(op, grad):
    return [create_op("Relu6Grad", [grad, op.inputs[0]], {})]


def _relu6_grad_kernel(grad, x, name="Relu6Grad"):
    """grad where 0 < x < 6, else 0: 0 at both kinks, as TF1."""
    checks.same_shape("Relu6Grad", name, grad, x)
    with np.errstate(invalid="ignore"):  # inf * 0
        return grad * ((x > 0) & (x < 6)).astype(grad.dtype)


def _relu6_grad_infer(op):
    return [(op.inputs[0].shape.merge_with(op.inputs[1].shape),
             _check_dtypes(op, ("gradients", "features"), _NUMERIC))]


define_op("Relu6Grad", _relu6_grad_infer, _relu6_grad_kernel,
          bind=_named(_relu6_grad_kernel))


@RegisterGradient("Relu6Grad")
def _relu6_grad_grad(op, grad):
    return [create_op("Relu6Grad", [grad, op.inputs[1]], {}), None]


def relu6(features, name=None):
    """min(max(features, 0), 6)."""
    return create_op("Relu6", [convert_to_tensor(features)], {}, name)


# -- LeakyRelu ------------------------------------------------------------------------------
def _leaky_relu_kernel(x, alpha):
    return np.where(x > 0, x, x * x.dtype.type(alpha))


define_op("LeakyRelu", _float_unary_infer, _leaky_relu_kernel)


@RegisterGradient("LeakyRelu")
def _leaky_relu_grad(op, grad):
    return [create_op("LeakyReluGrad", [grad, op.inputs[0]], {"alpha": op.attrs["alpha"]})]


def _leaky_relu_grad_kernel(grad, x, alpha, name="LeakyReluGrad"):
    """grad where x > 0, else grad * alpha (alpha at 0, as TF1)."""
    checks.same_shape("LeakyReluGrad", name, grad, x)
    return np.where(x > 0, grad, grad * grad.dtype.type(alpha))


def _leaky_relu_grad_bind(op, session):
    return functools.partial(_leaky_relu_grad_kernel, alpha=op.attrs["alpha"], name=op.name)


define_op("LeakyReluGrad", _same_shape_grad_infer, _leaky_relu_grad_kernel,
          bind=_leaky_relu_grad_bind)


@RegisterGradient("LeakyReluGrad")
def _leaky_relu_grad_grad(op, grad):
    return [create_op("LeakyReluGrad", [grad, op.inputs[1]], {"alpha": op.attrs["alpha"]}),
            None]


def leaky_relu(features, alpha=0.2, name=None):
    """features if features > 0, else alpha * features. Integer features become float32."""
    features = convert_to_tensor(features)
    if features.dtype.base_dtype.is_integer:
        features = cast(features, dtypes.float32)
    return create_op("LeakyRelu", [features], {"alpha": float(alpha)}, name or "LeakyRelu")


# -- LogSoftmax -----------------------------------------------------------------------------
def _log_softmax_kernel(x):
    if x.ndim == 0:
        raise checks.invalid("logits must have >= 1 dimension, got []")
    if x.size == 0:
        return np.empty_like(x)
    with np.errstate(invalid="ignore", divide="ignore"):  # inf - inf: NaN, as in TF
        shifted = x - x.max(axis=-1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _log_softmax_infer(op):
    if op.inputs[0].shape.ndims == 0:
        raise ValueError("Shape must be at least rank 1 but is rank 0 for '%s' (op: "
                         "'LogSoftmax')" % op.name)
    return _float_unary_infer(op)


define_op("LogSoftmax", _log_softmax_infer, half_in_float32(_log_softmax_kernel))


@RegisterGradient("LogSoftmax")
def _log_softmax_grad(op, grad):
    return [grad - reduce_sum(grad, axis=-1, keepdims=True) * exp(op.outputs[0])]


def log_softmax(logits, axis=None, name=None, dim=None):
    """logits - log(sum(exp(logits))) along ``axis`` (``dim``; the last by default),
    computed max-subtracted."""
    return along_axis(lambda x, n: create_op("LogSoftmax", [x], {}, n),
                      convert_to_tensor(logits), dim if axis is None else axis, name,
                      "log_softmax")
