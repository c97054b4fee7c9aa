"""``tf.layers``: TF1's functional layers, built from get_variable and ordinary ops.

``dense(inputs, units)`` is ``activation(inputs @ kernel + bias)``; its variables are
``<scope>/kernel`` and ``<scope>/bias``, made (or shared, with ``reuse``) by ``get_variable``
in the variable scope ``name`` (default: a fresh ``dense``, ``dense_1``, ...), so they obey
the variable-scope rules and show up in ``global_variables()`` as TF1's do.
"""
import operator

from . import missing
from .graph import name_scope
from .init_ops import zeros_initializer
from .ops.array_ops import convert_to_tensor, reshape
from .ops.math_ops import add
from .ops.matmul_ops import matmul
from .shapes import TensorShape
from .variable_scope import get_variable, variable_scope

__all__ = ["dense"]


def _refuse_unsupported(**arguments):
    for argument, value in arguments.items():
        if value is not None:
            raise ValueError("tinygraph does not implement tf.layers.dense(%s=...) yet; pass "
                             "None" % argument)


def _check_units(units):
    try:
        units = operator.index(units)  # ints and numpy ints; not floats, not Tensors
    except TypeError:
        raise TypeError("units must be a positive int, got %r" % (units,)) from None
    if isinstance(units, bool) or units < 1:
        raise ValueError("Received an invalid value for `units`, expected a positive integer, "
                         "got %d." % units)
    return units


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=zeros_initializer(), kernel_regularizer=None, bias_regularizer=None,
          activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
          trainable=True, name=None, reuse=None):
    """A densely connected layer: ``activation(matmul(inputs, kernel) + bias)``.

    Args:
        inputs: a float tensor [..., n]; n must be known. Inputs of rank > 2 are multiplied
            along their last dimension (all dimensions but the first must be known).
        units: the size of the output's last dimension.
        activation: a function applied to the result (e.g. ``tf.nn.relu``), or None.
        use_bias: add a bias vector.
        kernel_initializer: for ``kernel`` [n, units]; None: the variable scope's initializer,
            else Glorot uniform (TF1's default).
        bias_initializer: for ``bias`` [units]; zeros by default.
        kernel_regularizer, bias_regularizer: functions of the variable whose loss goes into
            ``GraphKeys.REGULARIZATION_LOSSES``.
        trainable: add the variables to ``TRAINABLE_VARIABLES``.
        name: the variable scope (and name scope) of the layer; default "dense", made unique.
        reuse: share the variables of a previous layer of the same ``name``.

    Returns:
        The output tensor [..., units], named like TF1's (``dense/BiasAdd:0``,
        ``dense/Relu:0``, ...).

    Raises:
        ValueError: the last dimension of ``inputs`` is unknown, ``units`` < 1, the variables
            exist and ``reuse`` is not set (or are missing with ``reuse=True``).
        TypeError: ``inputs`` is not a float tensor.
    """
    _refuse_unsupported(activity_regularizer=activity_regularizer,
                        kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
    units = _check_units(units)
    inputs = convert_to_tensor(inputs)
    dtype = inputs.dtype.base_dtype
    if not dtype.is_floating:
        raise TypeError("Unable to build `Dense` layer with non-floating point dtype %s"
                        % dtype.name)
    dims = inputs.shape.dims
    if dims is None or len(dims) < 2 or dims[-1] is None:
        raise ValueError("The last dimension of the inputs to `Dense` should be defined, and "
                         "they need rank 2 or more. Found shape %s." % inputs.shape)
    if len(dims) > 2 and None in dims[1:]:
        raise ValueError("Inputs of rank %d to `Dense` need every dimension but the first "
                         "known in tinygraph; found shape %s." % (len(dims), inputs.shape))
    with variable_scope(name, default_name="dense", reuse=reuse, values=[inputs]):
        kernel = get_variable("kernel", [dims[-1], units], dtype, kernel_initializer,
                              kernel_regularizer, trainable)
        bias = get_variable("bias", [units], dtype, bias_initializer, bias_regularizer,
                            trainable) if use_bias else None
        if len(dims) == 2:
            outputs = matmul(inputs, kernel)
        else:  # [b, t, n] -> [b * t, n] @ kernel -> [b, t, units]
            with name_scope("Tensordot"):
                flat = matmul(reshape(inputs, [-1, dims[-1]]), kernel)
                outputs = reshape(flat, [-1] + list(dims[1:-1]) + [units])
        if bias is not None:
            outputs = add(outputs, bias, name="BiasAdd")
        if activation is not None:
            outputs = activation(outputs)
    outputs.set_shape(TensorShape(list(dims[:-1]) + [units]))
    return outputs


__getattr__ = missing.namespace(__name__, "tf.layers")
