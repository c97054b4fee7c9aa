"""Small TF1 names that scripts use around the graph: InteractiveSession, ConfigProto,
device, set_shape, tf.Print / tf.print, tf.logging."""
import sys

import numpy as np
import pytest

import tinygraph as tf


def test_interactive_session_is_the_default_until_closed():
    v = tf.Variable([1.0, 2.0])
    sess = tf.InteractiveSession(config=tf.ConfigProto(allow_soft_placement=True,
                                                       log_device_placement=False))
    try:
        v.initializer.run()
        np.testing.assert_array_equal(v.eval(), [1, 2])
        assert tf.get_default_session() is sess
    finally:
        sess.close()
    assert tf.get_default_session() is None
    with pytest.raises(ValueError, match="No default session"):
        v.eval()


def test_config_proto_keeps_what_scripts_set():
    config = tf.ConfigProto(intra_op_parallelism_threads=2)
    config.gpu_options.allow_growth = True
    assert config.intra_op_parallelism_threads == 2 and config.gpu_options.allow_growth
    assert config.log_device_placement is None
    with tf.Session(config=config) as sess:
        assert sess.run(tf.constant(3)) == 3


def test_device_is_accepted_and_changes_nothing():
    with tf.device("/gpu:0"):
        x = tf.constant([1.0]) * 2.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(x), [2.0])


def test_set_shape_refines_and_refuses_incompatible_shapes():
    x = tf.placeholder(tf.float32)
    x.set_shape([None, 3])
    assert x.shape.as_list() == [None, 3]
    x.set_shape([2, None])
    assert x.shape.as_list() == [2, 3]
    with pytest.raises(ValueError, match=r"Shapes \(2, 3\) and \(2, 4\) are not compatible"):
        x.set_shape([2, 4])


def test_print_passes_its_input_and_prints_the_data(capsys):
    x = tf.constant([1.0, 2.5, 3.0, 4.0])
    y = tf.Print(x, [x, tf.reduce_sum(x)], "x is: ", first_n=2)
    z = y * 2.0
    with tf.Session() as sess:
        for _ in range(3):
            np.testing.assert_array_equal(sess.run(z), [2, 5, 6, 8])
    err = capsys.readouterr().err
    assert err == "x is: [1 2.5 3...][10.5]\n" * 2  # first_n=2
    g = tf.gradients(tf.reduce_sum(y * y), x)[0]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(g), [2, 5, 6, 8])


def test_print_v2_is_an_op_that_prints_when_run(capsys):
    x = tf.constant([[1, 2], [3, 4]])
    op = tf.print("x:", x, "sum:", tf.reduce_sum(x), output_stream=sys.stdout, summarize=2)
    with tf.Session() as sess:
        assert sess.run(op) is None
    assert capsys.readouterr().out == "x: [1 2...] sum: 10\n"
    with pytest.raises(ValueError, match="output_stream"):
        tf.print(x, output_stream="somewhere")


def test_logging_goes_to_pythons_logging(caplog):
    tf.logging.set_verbosity(tf.logging.INFO)
    with caplog.at_level(tf.logging.INFO, logger="tinygraph"):
        tf.logging.info("step %d", 5)
        tf.logging.debug("hidden")
        for i in range(5):
            tf.logging.log_every_n(tf.logging.INFO, "every other", 2)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["step 5", "every other", "every other", "every other"]
    assert tf.logging.get_verbosity() == tf.logging.INFO


def test_gpu_options_are_accepted_and_ignored():
    options = tf.GPUOptions(per_process_gpu_memory_fraction=0.5, allow_growth=True)
    config = tf.ConfigProto(gpu_options=options)
    assert config.gpu_options.per_process_gpu_memory_fraction == 0.5
    with tf.Session(config=config) as sess:
        assert sess.run(tf.constant(2.0, tf.double) * 2.0) == 4.0
        assert tf.double is tf.float64
