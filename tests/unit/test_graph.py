"""Graph, Operation, Tensor: names, scopes, lookups, collections, finalize, reprs."""
import numpy as np
import pytest

import tinygraph as tf


def names(graph=None):
    return [op.name for op in (graph or tf.get_default_graph()).get_operations()]


def test_unique_names_as_tf1_makes_them():
    a = tf.placeholder(tf.float32)
    b = tf.placeholder(tf.float32)
    assert (a.name, b.name) == ("Placeholder:0", "Placeholder_1:0")
    assert (a + b).name == "add:0"
    assert (a + b).name == "add_1:0"
    assert (a + b).name == "add_2:0"
    assert tf.add(a, b).name == "Add_3:0"  # the check ignores case
    assert tf.identity(a, name="foo").name == "foo:0"
    assert tf.identity(a, name="foo_1").name == "foo_1:0"
    assert tf.identity(a, name="Foo").name == "Foo_2:0"
    assert tf.identity(a, name="foo_1").name == "foo_1_1:0"


def test_default_names_of_builders():
    x = tf.placeholder(tf.float32, [2, 2])
    built = [x - x, x * x, x / x, -x, x @ x, tf.matmul(x, x), tf.square(x), tf.reduce_sum(x),
             tf.reduce_mean(x), tf.argmax(x, 1), tf.equal(x, x), tf.cast(x, tf.int32),
             tf.reshape(x, [4]), tf.identity(x), tf.nn.relu(x), tf.nn.softmax(x),
             tf.nn.l2_loss(x), tf.constant(1.0), tf.zeros([2]), tf.ones([2]),
             tf.zeros_like(x), tf.add_n([x, x])]
    assert [t.op.name for t in built] == [
        "sub", "mul", "truediv", "Neg", "matmul", "MatMul_1", "Square", "Sum", "Mean", "ArgMax",
        "Equal", "Cast", "Reshape", "Identity", "Relu", "Softmax", "L2Loss", "Const", "zeros",
        "ones", "zeros_like", "AddN"]
    assert [t.op.type for t in built[:6]] == ["Sub", "Mul", "RealDiv", "Neg", "MatMul",
                                              "MatMul"]
    xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([0, 1]), logits=x)
    assert xent.name == ("SparseSoftmaxCrossEntropyWithLogits/"
                         "SparseSoftmaxCrossEntropyWithLogits:0")


def test_name_scopes():
    x = tf.placeholder(tf.float32)
    with tf.name_scope("loss") as scope:
        assert scope == "loss/"
        assert tf.reduce_mean(x).name == "loss/Mean:0"
    with tf.name_scope("loss") as scope:  # re-entering uniquifies the scope
        assert scope == "loss_1/"
        assert tf.reduce_mean(x).name == "loss_1/Mean:0"
    with tf.name_scope("outer"):
        with tf.name_scope("inner") as scope:
            assert scope == "outer/inner/"
            assert (x + x).name == "outer/inner/add:0"
            with tf.name_scope(None):
                assert tf.identity(x).name == "Identity:0"
    with tf.name_scope("loss/"):  # a trailing slash re-enters that exact scope
        assert tf.reduce_mean(x).name == "loss/Mean_1:0"
    with tf.name_scope("scoped"):
        v = tf.Variable(1.0)
    assert v.name == "scoped/Variable:0"


@pytest.mark.parametrize("bad", ["foo bar", "-starts-with-dash", "a!b"])
def test_invalid_names_are_refused(bad):
    with pytest.raises(ValueError, match="is not a valid scope name"):
        with tf.name_scope(bad):
            pass
    with pytest.raises(ValueError, match="not a valid"):
        tf.identity(tf.constant(1.0), name=bad)


def test_tensor_lookup_by_name_and_its_errors():
    graph = tf.get_default_graph()
    c = tf.constant(1.0, name="c")
    assert graph.get_tensor_by_name("c:0") is c
    assert graph.get_operation_by_name("c") is c.op
    with pytest.raises(KeyError, match="The name 'nope:0' refers to a Tensor which does not "
                                       "exist. The operation, 'nope', does not exist in the "
                                       "graph."):
        graph.get_tensor_by_name("nope:0")
    with pytest.raises(ValueError, match="The name 'c' refers to an Operation, not a Tensor. "
                                         "Tensor names must be of the form "):
        graph.get_tensor_by_name("c")
    with pytest.raises(KeyError, match="exists but only has 1 outputs"):
        graph.get_tensor_by_name("c:1")


def test_get_operations_and_graph_attributes():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.square(x)
    assert names() == ["x", "Square"]
    assert y.graph is tf.get_default_graph() and y.op.inputs == (x,) and y.op.outputs == (y,)
    assert x.consumers() == [y.op]


def test_finalize_forbids_any_new_op():
    x = tf.placeholder(tf.float32)
    graph = tf.get_default_graph()
    graph.finalize()
    assert graph.finalized
    with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified."):
        x * 2.0  # even the hidden Const counts
    with pytest.raises(RuntimeError, match="Graph is finalized"):
        tf.constant(1)


def test_collections():
    v = tf.Variable(1.0)
    step = tf.Variable(0, trainable=False)
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES) == [v, step]
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES) == [v]
    assert tf.GraphKeys.GLOBAL_VARIABLES == "variables"
    assert tf.get_collection("unknown") == []
    tf.add_to_collection("mine", 42)
    assert tf.get_collection("mine") == [42]


def test_graphs_are_separate_and_as_default_nests():
    g = tf.Graph()
    with g.as_default():
        assert tf.get_default_graph() is g
        a = tf.constant(1.0)
        with pytest.raises(AssertionError, match="Do not use tf.reset_default_graph"):
            tf.reset_default_graph()
    assert tf.get_default_graph() is not g and a.graph is g
    b = tf.constant(2.0)
    with pytest.raises(ValueError, match="must be from the same graph as"):
        tf.add(a, b)
    assert (a + 1.0).graph is g  # ops go to the graph of their inputs


def test_reset_default_graph_gives_a_fresh_graph():
    old = tf.get_default_graph()
    tf.constant(1.0)
    tf.reset_default_graph()
    assert tf.get_default_graph() is not old and names() == []


def test_tensor_repr_and_python_protocols():
    x = tf.placeholder(tf.float32, [None, 3072])
    assert repr(x) == "<tf.Tensor 'Placeholder:0' shape=(?, 3072) dtype=float32>"
    assert str(x) == 'Tensor("Placeholder:0", shape=(?, 3072), dtype=float32)'
    assert repr(x.op) == "<tf.Operation 'Placeholder' type=Placeholder>"
    assert x.shape.as_list() == [None, 3072] and x.dtype == tf.float32
    for attempt in (lambda: bool(x), lambda: len(x), lambda: iter(x)):
        with pytest.raises(TypeError):
            attempt()
    y = tf.placeholder(tf.float32, [None, 3072])
    assert (x == y) is False and x == x and len({x: 1, y: 2}) == 2  # identity, hashable


def test_operators_build_ops_with_reversed_forms():
    x = tf.placeholder(tf.float32, [2])
    m = tf.placeholder(tf.float32, [2, 2])
    fetches = [1.0 + x, 1.0 - x, 2.0 * x, 1.0 / x, -x, m @ m, np.ones((2, 2), np.float32) @ m]
    with tf.Session() as sess:
        got = sess.run(fetches, {x: [1.0, 2.0], m: [[1, 2], [3, 4]]})
    want = [[2, 3], [0, -1], [2, 4], [1, 0.5], [-1, -2], [[7, 10], [15, 22]], [[4, 6], [4, 6]]]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w)


def test_op_traceback_points_at_the_users_line():
    import inspect
    line = inspect.currentframe().f_lineno + 1
    y = tf.square(tf.placeholder(tf.float32))
    filename, lineno, function = y.op.traceback[-1]
    assert filename == __file__ and lineno == line
    assert function == "test_op_traceback_points_at_the_users_line"


# -- control dependencies, read_value, names ending in "/" --------------------------------------
def test_control_dependencies_checks_its_items_at_once():
    other = tf.Graph()
    with other.as_default():
        foreign = tf.no_op(name="foreign")
    with pytest.raises(ValueError, match="is not an element of this graph"):
        with tf.control_dependencies([foreign]):
            pass
    for bad in (None, 3, 2.5):
        with pytest.raises(TypeError, match="Can not convert a %s into a Tensor or Operation"
                           % type(bad).__name__):
            with tf.control_dependencies([bad]):
                pass


def test_control_dependencies_accepts_variables_tensors_ops_and_names():
    v = tf.Variable(1.0, name="v")
    bump = v.assign_add(1.0, name="bump")
    c = tf.constant(0.0, name="c")
    for item in (v, bump, bump.op, "bump", "bump:0", c):
        with tf.control_dependencies([item]):
            op = tf.no_op()
        expected = {v: v.op, c: c.op}.get(item, bump.op) if not isinstance(item, str) \
            else bump.op
        assert op.control_inputs == (expected,)
    with tf.Session() as sess:
        sess.run(v.initializer)
        with tf.control_dependencies(["bump"]):
            after = tf.identity(tf.constant(5.0))
        assert sess.run(after) == 5.0
        assert sess.run(v) == 2.0  # the named op ran first


def test_control_dependencies_none_clears_the_enclosing_ones():
    first = tf.no_op(name="first")
    with tf.control_dependencies([first]):
        with tf.control_dependencies(None):
            free = tf.no_op()
        bound = tf.no_op()
    assert free.control_inputs == () and bound.control_inputs == (first,)


def test_read_value_obeys_an_enclosing_control_dependency():
    v = tf.Variable(1.0)
    bump = v.assign_add(10.0)
    with tf.control_dependencies([bump]):
        fresh = v.read_value()
        stale = v.value()  # the existing read op: no dependency on the write
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(fresh) == 11.0
        assert sess.run(stale) == 11.0
        assert sess.run([stale, fresh]) == [11.0, 21.0]


def test_a_variable_used_inside_control_dependencies_is_read_after_them_as_in_tf1():
    counter = tf.Variable(0, name="counter")
    increment = tf.assign_add(counter, 2)
    with tf.control_dependencies([increment]):
        after = tf.identity(counter) * 10
        doubled = counter + counter
    before = tf.identity(counter) * 10  # outside: the variable as the run found it
    assert after.op.inputs[0].op.control_inputs == (increment.op,)
    with tf.Session() as sess:
        sess.run(counter.initializer)
        assert sess.run(after) == 20 and sess.run(after) == 40
        assert sess.run([before, doubled]) == [40, 12]


def test_a_name_ending_in_slash_never_reuses_an_existing_ops_name():
    tf.constant(1.0, name="layer")
    with pytest.raises(ValueError, match="Duplicate node name in graph: 'layer'"):
        tf.constant(2.0, name="layer/")
    with tf.name_scope("block") as scope:
        pass
    assert tf.constant(3.0, name=scope).name == "block:0"  # a scope's own op is fine
