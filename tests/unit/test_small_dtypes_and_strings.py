"""int8, int16, uint8, float16 and string: TF1's conversion rules, which ops take them, and
tinygraph's exact lossless rule for feeds and casts. (The dtype of every op's output is
checked for every dtype in test_dtypes_exact.py.)"""
import numpy as np
import pytest

import tinygraph as tf
from tinygraph import errors


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)


# -- strings ---------------------------------------------------------------------------------
def test_a_string_constant_is_fetched_as_bytes_as_in_tf1(capsys):
    hello = tf.constant("Hello, TensorFlow!")
    assert hello.dtype == tf.string and str(hello) == 'Tensor("Const:0", shape=(), dtype=string)'
    print(run(hello))
    assert capsys.readouterr().out == "b'Hello, TensorFlow!'\n"
    words = run(tf.constant(["caf\u00e9", b"\xff", ""]))
    assert words.dtype == object and words.tolist() == [b"caf\xc3\xa9", b"\xff", b""]
    assert run(tf.constant(np.array(["ab", "c"]))).tolist() == [b"ab", b"c"]
    assert tf.constant("x", dtype=tf.string).dtype == tf.string


def test_string_placeholders_take_text_and_bytes_and_refuse_numbers():
    name = tf.placeholder(tf.string, [None], name="name")
    greeting = tf.placeholder(tf.string, name="greeting")
    same = tf.equal(name, tf.constant(["ann", "bob"]))
    assert run(same, {name: ["ann", b"eve"]}).tolist() == [True, False]
    assert run(greeting, {greeting: "hi"}) == b"hi"
    assert run(name, {name: np.array(["\u00e9"])}).tolist() == [b"\xc3\xa9"]
    for value in ([1, 2], ["a", 1.5], np.array([1, 2]), [None], np.array(["a", 3], object)):
        with pytest.raises(TypeError, match="Tensor 'name:0' of dtype string.*is not a string"):
            run(name, {name: value})


def test_strings_are_refused_where_tf1_has_no_kernel_for_them():
    s = tf.constant(["a"])
    with pytest.raises(TypeError, match="Cast string to int32 is not supported"):
        tf.cast(s, tf.int32)
    with pytest.raises(TypeError, match="Cast float32 to string is not supported"):
        tf.cast(tf.constant(1.0), tf.string)
    with pytest.raises(TypeError, match="DataType string not in list"):
        tf.reduce_sum(s)
    with pytest.raises(TypeError, match="Cannot convert \\['a', 1\\] to string"):
        tf.constant(["a", 1])
    with pytest.raises(TypeError, match="not a string"):
        tf.constant(1, dtype=tf.string)
    with pytest.raises(TypeError, match="numbers"):
        tf.zeros_like(s)


def test_adding_strings_concatenates_them_as_tf1s_add(backend):
    words = tf.placeholder(tf.string, [None])
    greeting = tf.constant("Hello, ") + words + "!"
    with tf.Session() as sess:
        assert sess.run(greeting, {words: ["World", b"TF1"]}).tolist() == [
            b"Hello, World!", b"Hello, TF1!"]
        assert sess.run(tf.add(tf.constant("a"), tf.constant("b"))) == b"ab"
    with pytest.raises(TypeError, match="DataType string not in list"):
        tf.constant("a") - tf.constant("b")
    with pytest.raises(TypeError, match="not a string"):
        tf.constant("a") + 1


def test_string_variables_hold_and_assign_bytes():
    v = tf.Variable("old", name="motto")
    assert v.dtype.base_dtype == tf.string
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(v) == b"old"
        sess.run(v.assign("new"))
        assert sess.run(v) == b"new"


def test_a_graph_with_string_constants_is_written_for_tensorboard(tmp_path):
    pytest.importorskip("tensorboard.compat.proto.summary_pb2")
    tf.constant(["a", "b"], name="words")
    tf.constant(np.array([1, 2], np.uint8), name="small")
    with tf.summary.FileWriter(str(tmp_path), tf.get_default_graph()):
        pass
    assert any(p.name.startswith("events.out.tfevents") for p in tmp_path.iterdir())


# -- the small integer types and float16 -----------------------------------------------------
def test_numpy_values_keep_their_dtype_and_names_resolve():
    for np_dtype, dtype in [(np.int8, tf.int8), (np.int16, tf.int16), (np.uint8, tf.uint8),
                            (np.float16, tf.float16)]:
        assert tf.constant(np.array([1, 2], np_dtype)).dtype == dtype
        assert tf.constant(np_dtype(3)).dtype == dtype
        assert tf.as_dtype(np_dtype) is dtype and tf.as_dtype(dtype.name) is dtype
    assert tf.as_dtype("half") is tf.float16 and tf.half is tf.float16
    assert (tf.uint8.min, tf.uint8.max, tf.int8.min, tf.int16.max) == (0, 255, -128, 32767)
    assert tf.float16.max == 65504.0 and tf.float16.is_floating and tf.uint8.is_unsigned
    assert tf.constant(3).dtype == tf.int32  # Python ints stay int32, as in TF1


def test_small_int_arithmetic_wraps_as_tf1_and_division_widens():
    x = tf.placeholder(tf.uint8, [3])
    y = tf.constant([100, 200, 255], tf.uint8)
    total, product = run([x + y, x * 2], {x: [200, 100, 1]})
    assert total.dtype == np.uint8 and total.tolist() == [44, 44, 0]  # modulo 256
    assert product.tolist() == [144, 200, 2]
    quotient = tf.constant([7, -8], tf.int8) / tf.constant(2, tf.int8)
    assert quotient.dtype == tf.float32 and run(quotient).tolist() == [3.5, -4.0]
    assert (tf.constant(7, tf.int16) / 2).dtype == tf.float32
    assert (tf.constant(7) / 2).dtype == tf.float64  # int32: float64, as in TF1
    assert run(tf.reduce_sum(tf.constant([100, 100], tf.int8))) == -56  # wraps, as int32 does
    assert run(tf.argmax(tf.constant([[1, 9, 3]], tf.uint8), 1)).tolist() == [1]


def test_float16_arithmetic_and_its_gradient():
    x = tf.placeholder(tf.float16, [None, 2])
    w = tf.Variable(np.array([[1.0], [2.0]], np.float16))
    y = tf.reduce_sum(tf.square(tf.matmul(x, w)))
    grad = tf.gradients(y, w)[0]
    value, g = run([y, grad], {x: [[1.0, 0.5], [0.0, 1.0]]})
    assert value.dtype == np.float16 and value == 8.0  # 2**2 + 2**2
    assert g.dtype == np.float16 and g.tolist() == [[4.0], [6.0]]  # x.T @ (2 * [2, 2])
    assert np.isinf(run(tf.cast(tf.constant(70000.0), tf.float16)))  # rounds, as TF1


def test_ops_tf1_does_not_have_for_a_dtype_are_refused_when_built():
    u = tf.constant([1], tf.uint8)
    with pytest.raises(TypeError, match="DataType uint8 not in list of allowed values"):
        -u
    with pytest.raises(TypeError, match="DataType int8 not in list"):
        tf.matmul(tf.constant([[1]], tf.int8), tf.constant([[1]], tf.int8))
    with pytest.raises(TypeError, match="DataType int16 not in list"):
        tf.sqrt(tf.constant([4], tf.int16))
    with pytest.raises(TypeError, match="Input 'y' of 'Add' Op has type int8 that does not "
                                        "match type uint8"):
        u + tf.constant([1], tf.int8)


def test_feeds_and_constants_are_exact_or_refused():
    x = tf.placeholder(tf.int8, [None], name="small")
    assert run(x, {x: [127, -128, 3.0]}).tolist() == [127, -128, 3]
    for value, shown in (([128], "128"), ([1.5], "1.5"), (np.array([300], np.int16), "300"),
                         (np.array([np.nan], np.float16), "nan")):
        with pytest.raises(TypeError, match="Tensor 'small:0'.*%s" % shown):
            run(x, {x: value})
    with pytest.raises(TypeError, match="-1 does not fit"):
        tf.constant(-1, tf.uint8)
    h = tf.placeholder(tf.float16, [None])
    assert run(h, {h: [1e5, 0.1]}).tolist() == [np.inf, np.float16(0.1)]  # floats round


@pytest.mark.parametrize("source, target, values, expected", [
    (tf.float32, tf.uint8, [255.9, 0.0, -0.5], [255, 0, 0]),  # toward zero, in range
    (tf.float32, tf.int8, [-128.7, 127.2], [-128, 127]),
    (tf.int32, tf.int16, [-32768, 32767], [-32768, 32767]),
    (tf.uint8, tf.int8, [127, 0], [127, 0]),
    (tf.int8, tf.uint8, [0, 5], [0, 5]),
    (tf.float16, tf.int16, [1024.0, -3.5], [1024, -3]),
    (tf.int64, tf.float16, [3, -2049], [3.0, -2048.0]),  # rounded to float16, as TF1
])
def test_cast_between_numeric_types(backend, source, target, values, expected):
    x = tf.placeholder(source, [None])
    got = run(tf.cast(x, target), {x: np.array(values, source.np_dtype)})
    assert got.dtype == target.np_dtype and got.tolist() == expected


@pytest.mark.parametrize("source, target, values", [
    (tf.float32, tf.uint8, [256.0]), (tf.float32, tf.uint8, [-1.0]),
    (tf.int32, tf.int8, [128]), (tf.int8, tf.uint8, [-1]), (tf.uint8, tf.int8, [200]),
    (tf.float16, tf.int8, [np.inf]), (tf.float16, tf.int16, [np.nan]),
])
def test_cast_out_of_range_is_an_invalid_argument(backend, source, target, values):
    x = tf.placeholder(source, [None])
    with pytest.raises(errors.InvalidArgumentError, match="NaN, Inf or out-of-range"):
        run(tf.cast(x, target), {x: np.array(values, source.np_dtype)})
