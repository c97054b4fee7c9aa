"""DType, TensorShape and the errors module."""
import numpy as np
import pytest

import tinygraph as tf
from tinygraph import dtypes, errors
from tinygraph.shapes import TensorShape, as_shape, broadcast_shape


def test_dtypes():
    for dtype, np_type, word in ((tf.float32, np.float32, "float"),
                                 (tf.float64, np.float64, "double"),
                                 (tf.int32, np.int32, "int32"), (tf.int64, np.int64, "int64"),
                                 (tf.bool, np.bool_, "bool")):
        assert dtype.as_numpy_dtype is np_type and dtype.tf_word == word
        assert tf.as_dtype(np_type) is dtype and tf.as_dtype(np.dtype(np_type)) is dtype
        assert dtype == np_type and dtype.name == np.dtype(np_type).name.replace("bool", "bool")
    assert tf.float32.is_floating and tf.int64.is_integer and tf.bool.is_bool
    assert tf.as_dtype("float") is tf.float32
    assert repr(tf.float32) == "tf.float32"
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.as_dtype(np.complex64)
    # plain numpy dtypes work wherever a DType does
    assert tf.placeholder(np.float64).dtype is tf.float64
    assert tf.zeros([2], dtype=np.int32).dtype is tf.int32


def test_lossless_conversion_rules():
    assert dtypes.convert_array([1.0, 2.0], tf.int64).dtype == np.int64
    assert dtypes.convert_array(np.array([1e40]), tf.float32).dtype == np.float32
    assert dtypes.convert_array([True, False], tf.float32).tolist() == [1.0, 0.0]
    for value, dtype in (([1.5], tf.int32), ([2 ** 40], tf.int32), ([np.inf], tf.int64),
                         ([2], tf.bool), (["1"], tf.int64)):
        with pytest.raises(TypeError):
            dtypes.convert_array(value, dtype)


def test_shapes():
    s = TensorShape([None, 3072])
    assert str(s) == "(?, 3072)" and s.as_list() == [None, 3072] and s.ndims == 2
    assert s.bracket_str() == "[?,3072]" and str(TensorShape([3])) == "(3,)"
    assert str(TensorShape(None)) == "<unknown>" and TensorShape([]).bracket_str() == "[]"
    assert s.is_compatible_with([100, 3072]) and not s.is_compatible_with([100, 3071])
    assert not s.is_compatible_with([3072]) and TensorShape(None).is_compatible_with([1, 2, 3])
    assert s.merge_with([5, None]).as_list() == [5, 3072]
    assert as_shape([None, 4]) == s.__class__([None, 4]) and s[1] == 3072 and len(s) == 2
    assert broadcast_shape(as_shape([None, 1]), as_shape([5])).as_list() == [None, 5]
    assert broadcast_shape(as_shape([2, 3]), as_shape([4])) is None
    with pytest.raises(ValueError):
        TensorShape(None).as_list()


def test_error_hierarchy():
    assert issubclass(errors.InvalidArgumentError, errors.OpError)
    assert issubclass(errors.FailedPreconditionError, errors.OpError)
    assert issubclass(errors.OpError, Exception)
    codes = {errors.CancelledError: 1, errors.UnknownError: 2, errors.InvalidArgumentError: 3,
             errors.NotFoundError: 5, errors.FailedPreconditionError: 9,
             errors.UnimplementedError: 12, errors.UnauthenticatedError: 16}
    for cls, code in codes.items():
        e = cls(None, None, "message")
        assert e.error_code == code and e.message == "message" and str(e) == "message"
        assert e.op is None and e.node_def is None
    assert errors.INVALID_ARGUMENT == 3 and errors.OK == 0 and errors.UNAUTHENTICATED == 16


def test_op_errors_carry_the_failing_op():
    x = tf.placeholder(tf.float32, [None], name="features")
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError) as info:
            sess.run(x + 1.0)
    assert info.value.op is x.op and "Caused by op 'features'" in str(info.value)


def test_disable_v2_behavior_is_a_harmless_no_op():
    tf.disable_v2_behavior()
    tf.disable_eager_execution()
    assert tf.constant(1.0).eval(session=tf.Session()) == 1.0
