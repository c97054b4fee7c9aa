"""Session.run: fetch structures, feeds, errors, plan caching, and the order rule."""
import collections

import numpy as np
import pytest

import tinygraph as tf
from tinygraph import errors


@pytest.fixture
def sess():
    with tf.Session() as session:
        yield session


# -- fetches ------------------------------------------------------------------------------------
def test_fetch_structures_come_back_in_kind():
    a = tf.constant(2.0)
    b = tf.constant(1)
    op = tf.no_op()
    Pair = collections.namedtuple("Pair", "x y")
    with tf.Session() as sess:
        got = sess.run({"a": [a, (b,)], "b": op, "c": Pair(a, b),
                        "d": collections.OrderedDict([("z", a), ("y", b)])})
        assert sess.run([]) == []
        assert sess.run(op) is None
    assert got["a"] == [2.0, (1,)] and got["b"] is None
    assert isinstance(got["c"], Pair) and got["c"] == Pair(2.0, 1)
    assert isinstance(got["d"], collections.OrderedDict) and list(got["d"]) == ["z", "y"]
    assert type(got["a"][0]) is np.float32 and type(got["a"][1][0]) is np.int32  # scalars


def test_fetch_by_name_and_duplicates(sess):
    c = tf.constant([1.0, 2.0], name="c")
    first, second, by_name = sess.run([c + 1.0, c + 1.0, "c:0"])
    np.testing.assert_array_equal(by_name, [1.0, 2.0])
    same = c * 2.0
    r = sess.run([same, same])
    assert r[0] is r[1]  # computed once
    assert sess.run(tf.global_variables_initializer().name) is None


def test_bad_fetches(sess):
    tf.constant(1.0)  # (an empty graph is refused before fetches are looked at)
    with pytest.raises(TypeError, match="Fetch argument None has invalid type .*gradient"):
        sess.run(None)
    with pytest.raises(TypeError, match="Fetch argument None"):
        sess.run([tf.constant(1.0), None])
    with pytest.raises(TypeError, match=r"Fetch argument 3 has invalid type <class 'int'>, must "
                                        r"be a string or Tensor. \(Can not convert a int into a "
                                        r"Tensor or Operation.\)"):
        sess.run(3)
    other = tf.Graph()
    with other.as_default():
        foreign = tf.constant(1.0)
    with pytest.raises(ValueError, match="cannot be interpreted as a Tensor. .*is not an "
                                         "element of this graph"):
        sess.run(foreign)


def test_results_belong_to_the_caller(sess):
    v = tf.Variable([1.0, 2.0])
    c = tf.constant([5.0, 6.0])
    x = tf.placeholder(tf.float32, [2])
    sess.run(v.initializer)
    fetched = sess.run(v)
    sess.run(v.assign_add([10.0, 10.0]))
    np.testing.assert_array_equal(fetched, [1.0, 2.0])  # training later leaves it alone
    fetched[0] = 99.0
    np.testing.assert_array_equal(sess.run(v), [11.0, 12.0])
    sess.run(c)[0] = 99.0
    np.testing.assert_array_equal(sess.run(c), [5.0, 6.0])
    feed = np.array([1.0, 2.0], np.float32)
    out = sess.run(tf.identity(x), {x: feed})
    feed[0] = 50.0
    assert out[0] == 1.0  # no alias of the feed
    assert sess.run(x, {x: feed}) is feed  # but a fetched feed is the fed object itself


# -- feeds --------------------------------------------------------------------------------------
def test_missing_feed_is_an_invalid_argument_error(sess):
    x = tf.placeholder(tf.float32, [None, 3072])
    with pytest.raises(errors.InvalidArgumentError) as info:
        sess.run(x * 2.0)
    assert info.value.message == ("You must feed a value for placeholder tensor 'Placeholder' "
                                  "with dtype float and shape [?,3072]")
    assert info.value.op is x.op
    unknown = tf.placeholder(tf.int64, name="labels")
    with pytest.raises(errors.InvalidArgumentError) as info:
        sess.run(unknown + 1)
    assert info.value.message.endswith("tensor 'labels' with dtype int64")


def test_feed_shape_must_fit(sess):
    x = tf.placeholder(tf.float32, [None, 3072])
    y = tf.reduce_sum(x)
    with pytest.raises(ValueError) as info:
        sess.run(y, {x: np.zeros((100, 3071))})
    assert str(info.value) == ("Cannot feed value of shape (100, 3071) for Tensor "
                               "'Placeholder:0', which has shape '(?, 3072)'")
    for bad in (np.zeros(3072), np.zeros((1, 1, 3072)), 1.0):
        with pytest.raises(ValueError, match="Cannot feed value of shape"):
            sess.run(y, {x: bad})
    assert sess.run(y, {x: np.ones((0, 3072))}) == 0.0
    anything = tf.placeholder(tf.float32)
    assert sess.run(anything, {anything: [[1.0]]}).shape == (1, 1)


def test_feeds_are_converted_and_lossy_ones_refused(sess):
    x = tf.placeholder(tf.float32, [3])
    i = tf.placeholder(tf.int64, [None])
    small = tf.placeholder(tf.int32, [None])
    assert sess.run(x, {x: np.array([1, 2, 3], np.float64)}).dtype == np.float32
    np.testing.assert_array_equal(sess.run(i, {i: [1.0, 2.0]}), [1, 2])  # integral: fine
    for target, value, shown in ((i, [1.7, -2.5, 3.0], "1.7"), (small, np.array([2 ** 40]),
                                                                 "1099511627776"),
                                 (i, [np.nan], "nan")):
        with pytest.raises(TypeError, match="Cannot feed value for Tensor '%s'" % target.name) \
                as info:
            sess.run(target, {target: value})
        assert shown in str(info.value)
    with pytest.raises(TypeError, match="Placeholder:0"):
        sess.run(x, {x: ["a", "b", "c"]})
    with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor object"):
        sess.run(x, {x: tf.constant([1.0, 2.0, 3.0])})


def test_bad_feed_keys(sess):
    x = tf.placeholder(tf.float32)
    other = tf.Graph()
    with other.as_default():
        foreign = tf.placeholder(tf.float32)
    for key, detail in ((x.op, "Can not convert a Operation into a Tensor."),
                        (3, "Can not convert a int into a Tensor."),
                        ("Nope:0", "The name 'Nope:0' refers to a Tensor which does not "
                                   "exist"),
                        (foreign, "is not an element of this graph")):
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: ") as info:
            sess.run(x, {x: 1.0, key: 1.0})
        assert detail in str(info.value)


def test_feeding_any_tensor_prunes_its_producer(sess):
    images = tf.placeholder(tf.float32, [None, 4])
    labels = tf.placeholder(tf.int64, [None])
    logits = tf.matmul(images, tf.ones([4, 10])) + tf.zeros([10])
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                         logits=logits))
    value = sess.run(loss, {logits: np.zeros((2, 10)), labels: [0, 1]})
    assert value == pytest.approx(np.log(10))  # images was never needed
    with pytest.raises(ValueError, match="Cannot feed value of shape \\(2, 11\\) for Tensor "
                                         "'add:0', which has shape '\\(\\?, 10\\)'"):
        sess.run(loss, {logits: np.zeros((2, 11)), labels: [0, 1]})


def test_a_tensor_fed_by_object_and_by_name(sess):
    x = tf.placeholder(tf.float32, [])
    assert sess.run(x * 2.0, {x: 1.0, "Placeholder:0": 5.0}) == 10.0  # the later key wins


# -- lifecycle ----------------------------------------------------------------------------------
def test_closed_and_empty():
    with pytest.raises(RuntimeError, match="The Session graph is empty.  Add operations"):
        tf.Session().run([])
    c = tf.constant(1.0)
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        sess.run(c)
    with pytest.raises(TypeError, match="graph must be a tf.Graph, but got <class 'int'>"):
        tf.Session(graph=3)


def test_context_manager_sets_defaults_and_is_not_reentrant():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(3.0)
    sess = tf.Session(graph=g)
    with sess:
        assert tf.get_default_session() is sess and tf.get_default_graph() is g
        assert c.eval() == 3.0
        with pytest.raises(RuntimeError, match="not re-entrant"):
            with sess:
                pass
    assert sess.closed and tf.get_default_session() is None


def test_eval_and_run_need_a_matching_default_session():
    c = tf.constant(1.0)
    with pytest.raises(ValueError, match="Cannot evaluate tensor using `eval\\(\\)`: No default "
                                         "session is registered"):
        c.eval()
    with pytest.raises(ValueError, match="Cannot execute operation using `run\\(\\)`"):
        c.op.run()
    other = tf.Graph()
    with other.as_default():
        foreign_session = tf.Session()
    with pytest.raises(ValueError, match="the tensor's graph is different from the session's"):
        c.eval(session=foreign_session)
    with tf.Session() as sess:
        assert c.eval() == 1.0 and c.eval(session=sess) == 1.0
        assert tf.no_op().run() is None


def test_two_sessions_hold_independent_values():
    v = tf.Variable(1.0)
    bump = v.assign_add(1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(bump)
    assert s1.run(v) == 2.0 and s2.run(v) == 1.0
    with pytest.raises(errors.FailedPreconditionError):
        tf.Session().run(v)


# -- plans --------------------------------------------------------------------------------------
def test_each_signature_compiles_once(sess):
    x = tf.placeholder(tf.float32, [])
    y = x * 2.0
    z = x + 1.0
    sess.run(y, {x: 1.0})
    count = sess.compile_count
    for value in range(5):
        assert sess.run(y, {x: float(value)}) == 2.0 * value
    assert sess.compile_count == count
    sess.run([y, z], {x: 1.0})  # a new fetch structure
    sess.run(y, {"Placeholder:0": 1.0})  # a new feed key
    assert sess.compile_count == count + 2


# -- order within one run -------------------------------------------------------------------------
def make_model():
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.int64, [None])
    w = tf.Variable(tf.zeros([2, 2]))
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=tf.matmul(x, w)))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    feed = {x: [[1.0, 0.0], [0.0, 1.0]], y: [0, 1]}
    return w, loss, train, feed


def test_fetched_values_are_read_before_the_update():
    w, loss, train, feed = make_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            before_loss, before_w = sess.run(loss, feed), sess.run(w)
            _, reported_loss, reported_w = sess.run([train, loss, w], feed)
            assert reported_loss == before_loss
            np.testing.assert_array_equal(reported_w, before_w)
            assert sess.run(loss, feed) < before_loss  # and the update did happen


def test_a_value_that_depends_on_a_write_sees_it():
    v = tf.Variable(1.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v.assign_add(2.0)) == 3.0
        assert sess.run([v.assign(7.0), v.assign_add(1.0)]) == [7.0, 8.0]  # creation order


def test_errors_leave_variables_untouched():
    w, loss, train, feed = make_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(w)
        bad = dict(feed)
        bad[list(feed)[1]] = [0, 5]  # label out of range: fails in the forward pass
        with pytest.raises(errors.InvalidArgumentError, match="Received a label value of 5"):
            sess.run(train, bad)
        np.testing.assert_array_equal(sess.run(w), before)


# -- run-time errors ----------------------------------------------------------------------------
def test_run_time_errors_name_the_op_and_the_users_line():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 3])
    total = tf.add(x, y, name="total")  # this line is quoted in the error
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError) as info:
            sess.run(total, {x: np.ones((2, 3)), y: np.ones((4, 3))})
    assert info.value.op is total.op
    text = str(info.value)
    assert "Caused by op 'total', defined at:" in text
    assert "test_session.py" in text and 'total = tf.add(x, y, name="total")' in text


def test_uninitialized_variable():
    v = tf.Variable(tf.zeros([2]))
    init = tf.global_variables_initializer()
    late = tf.Variable(tf.ones([2]), name="late")  # created after the initializer
    with tf.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value Variable"):
            sess.run(v)
        sess.run(init)
        np.testing.assert_array_equal(sess.run(v), [0, 0])
        with pytest.raises(errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value late") as info:
            sess.run(late + 1.0)
        assert info.value.op.name == "late/read"
        assert info.value.error_code == errors.FAILED_PRECONDITION


def test_feeding_one_output_of_a_two_output_op(sess):
    logits = tf.constant([[1.0, 2.0]])
    xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([0]),
                                                          logits=logits)
    backprop = xent.op.outputs[1]
    loss_value, fed = sess.run([xent, backprop], {backprop: [[5.0, 5.0]]})
    np.testing.assert_array_equal(fed, [[5.0, 5.0]])  # the op ran, but the feed won
    assert loss_value[0] == pytest.approx(np.log(np.exp(1) + np.exp(2)) - 1)


def test_an_op_fetched_with_its_output_fed_gives_none(sess):
    """Fetching an op gives None, as in TF1, also when its output is fed (the op runs,
    its outputs are thrown away): it once handed over the variable's internal storage."""
    v = tf.Variable([1.0, 2.0])
    c = tf.constant([5.0])
    sess.run(v.initializer)
    assert sess.run(v.op, {v: [3.0, 4.0]}) is None
    op_value, fed = sess.run([c.op, c], {c: [7.0]})
    assert op_value is None
    np.testing.assert_array_equal(fed, [7.0])
    np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])  # the feed wrote nothing


def test_a_kernel_bug_is_an_internal_error_naming_the_op():
    from tinygraph import registry
    if "TestOnlyBuggy" not in registry._OP_DEFS:  # the registry is process-wide

        def buggy(x, fault):
            raise fault("kernel fault")

        registry.define_op("TestOnlyBuggy", lambda op: [(op.inputs[0].shape,
                                                         op.inputs[0].dtype)], buggy)
    x = tf.placeholder(tf.float32, [2])
    g = tf.get_default_graph()
    for fault, error in ((IndexError, errors.InternalError), (TypeError, errors.InternalError),
                         (MemoryError, errors.ResourceExhaustedError)):
        y = g.create_op("TestOnlyBuggy", [x * 2.0], {"fault": fault}, "buggy")
        with tf.Session() as sess:  # the faulty op is a step in the middle of the plan
            with pytest.raises(error) as info:
                sess.run(tf.square(y) + x, {x: [1.0, 2.0]})
        assert info.value.op is y.op and y.op.name in str(info.value)
        assert not isinstance(info.value, errors.InvalidArgumentError)
