"""variable_scope and get_variable: TF1's sharing rules, their texts, and the regularizers."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygraph as tf


def test_names_follow_the_variable_scope_not_the_name_scope():
    with tf.name_scope("outer"):
        with tf.variable_scope("Layer1") as scope:
            w = tf.get_variable("weights", [2, 3])
            b = tf.Variable(tf.zeros([3]), name="biases")
            y = tf.matmul(tf.ones([1, 2]), w) + b
    assert scope.name == "Layer1"
    assert w.name == "Layer1/weights:0"
    assert b.name == "outer/Layer1/biases:0"  # Variable() follows the name scope, as in TF1
    assert y.name == "outer/Layer1/add:0"
    assert w.op.type == "VariableV2" and w.shape.as_list() == [2, 3]


def test_nested_scopes_and_reentering_a_scope_object():
    with tf.variable_scope("a") as a:
        with tf.variable_scope("b"):
            v = tf.get_variable("v", [1])
            assert tf.get_variable_scope().name == "a/b"
    assert v.name == "a/b/v:0"
    with tf.variable_scope("elsewhere"):
        with tf.variable_scope(a, reuse=True) as again:
            assert again.name == "a"
            assert tf.get_variable("b/v", [1]) is v
            c = tf.constant(1.0, name="c")
    assert c.name == "a/c:0"  # the scope object's own name scope, re-entered
    assert tf.get_variable_scope().name == ""


def test_a_scope_without_its_own_name_scope():
    with tf.name_scope("ops"):
        with tf.variable_scope("vars", auxiliary_name_scope=False) as scope:
            v = tf.get_variable("v", [1])
            c = tf.constant(1.0, name="c")
    assert (v.name, c.name, scope.original_name_scope) == ("vars/v:0", "ops/c:0", "ops/")


def test_creating_an_existing_variable_without_reuse_names_it_and_where_it_was_made():
    with tf.variable_scope("s"):
        tf.get_variable("w", [2])
    with pytest.raises(ValueError) as e:
        with tf.variable_scope("s"):
            tf.get_variable("w", [2])
    message = str(e.value)
    assert message.startswith("Variable s/w already exists, disallowed. Did you mean to set "
                              "reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally "
                              "defined at:")
    assert "test_variable_scope.py" in message and 'tf.get_variable("w", [2])' in message


def test_reuse_true_needs_the_variable_and_its_shape_and_dtype():
    with tf.variable_scope("s"):
        w = tf.get_variable("w", [2])
    with tf.variable_scope("s", reuse=True):
        assert tf.get_variable("w", [2]) is w
        assert tf.get_variable("w") is w  # shape may be left out when sharing
        with pytest.raises(ValueError, match=r"^Variable s/x does not exist, or was not created "
                           r"with tf.get_variable\(\). Did you mean to set "
                           r"reuse=tf.AUTO_REUSE in VarScope\?$"):
            tf.get_variable("x", [2])
        with pytest.raises(ValueError, match=r"^Trying to share variable s/w, but specified "
                           r"shape \(3,\) and found shape \(2,\).$"):
            tf.get_variable("w", [3])
        with pytest.raises(ValueError, match="specified dtype int32 and found dtype float32"):
            tf.get_variable("w", [2], dtype=tf.int32)


def test_tf_variable_is_invisible_to_get_variable():
    with tf.variable_scope("s"):
        tf.Variable(1.0, name="v")
    with tf.variable_scope("s", reuse=True), pytest.raises(ValueError, match="does not exist"):
        tf.get_variable("v", [])


def test_reuse_is_inherited_and_cannot_be_switched_off_inside():
    with tf.variable_scope("s"):
        w = tf.get_variable("w", [1])
    with tf.variable_scope("s", reuse=True):
        with tf.variable_scope("inner", reuse=False) as inner:
            assert inner.reuse is True
    with tf.variable_scope("s") as scope:
        scope.reuse_variables()
        assert tf.get_variable("w", [1]) is w


def test_auto_reuse_makes_once_then_shares():
    def layer():
        with tf.variable_scope("layer", reuse=tf.AUTO_REUSE):
            return tf.get_variable("w", [3])
    first, second = layer(), layer()
    assert first is second
    assert [v.name for v in tf.global_variables()] == ["layer/w:0"]


def test_default_name_scopes_are_numbered():
    names = []
    for _ in range(3):
        with tf.variable_scope(None, default_name="dense"):
            names.append(tf.get_variable("kernel", [1]).name)
    assert names == ["dense/kernel:0", "dense_1/kernel:0", "dense_2/kernel:0"]
    with pytest.raises(TypeError, match="default_name is None"):
        with tf.variable_scope(None):
            pass


def test_bad_arguments():
    with pytest.raises(TypeError, match="name_or_scope must be a string or VariableScope"):
        with tf.variable_scope(3):
            pass
    with pytest.raises(ValueError, match="reuse must be"):
        with tf.variable_scope("s", reuse="yes"):
            pass
    with pytest.raises(ValueError, match=r"Shape of a new variable \(w\) must be fully defined"):
        tf.get_variable("w")
    with pytest.raises(ValueError, match="must be fully defined"):
        tf.get_variable("w2", [None, 3])
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape."):
        tf.get_variable("c", [2], initializer=tf.constant([1.0, 2.0]))
    assert tf.get_variable_scope().name == ""  # every failure left the scope stack intact


def test_initializers_and_defaults_from_the_scope():
    with tf.variable_scope("s", initializer=tf.constant_initializer(3.0), dtype=tf.float64):
        a = tf.get_variable("a", [2])
        b = tf.get_variable("b", [2], initializer=tf.ones_initializer())
    c = tf.get_variable("c", initializer=tf.constant([[1, 2]]))  # from a value: its dtype
    d = tf.get_variable("d", [2], dtype=tf.int64)  # non-float default: zeros
    e = tf.get_variable("e", [2], initializer=tf.ones_initializer)  # a class, as TF1 allows
    gs = tf.get_variable("steps", [], dtype=tf.int32, trainable=False)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        va, vb, vc, vd, ve = sess.run([a, b, c, d, e])
    assert ve.tolist() == [1.0, 1.0]
    assert va.dtype == np.float64 and va.tolist() == [3.0, 3.0] and vb.tolist() == [1.0, 1.0]
    assert vc.dtype == np.int32 and vc.tolist() == [[1, 2]]
    assert vd.dtype == np.int64 and vd.tolist() == [0, 0]
    assert gs in tf.global_variables() and gs not in tf.trainable_variables()
    assert a.op.inputs == () and "s/a/Initializer/" in a.initializer.inputs[1].name


def test_regularizer_loss_is_collected_once_not_again_on_reuse():
    reg = tf.contrib.layers.l2_regularizer(0.1)
    with tf.variable_scope("Layer1"):
        w = tf.get_variable("weights", initializer=tf.constant([[1.0, -2.0]]), regularizer=reg)
    with tf.variable_scope("Layer1", reuse=True):
        assert tf.get_variable("weights", regularizer=reg) is w
    with tf.variable_scope("Layer2", regularizer=tf.contrib.layers.l1_regularizer(0.5)):
        v = tf.get_variable("weights", initializer=tf.constant([3.0, -4.0, 0.0]))
        tf.get_variable("biases", initializer=tf.constant([1.0]), regularizer=tf.no_regularizer)
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [t.name for t in losses] == ["Layer1/weights/Regularizer/l2_regularizer:0",
                                        "Layer2/weights/Regularizer/l1_regularizer:0"]
    assert tf.losses.get_regularization_losses() == losses
    assert tf.losses.get_regularization_losses("Layer2") == losses[1:]
    total = tf.losses.get_regularization_loss()
    loss = total + tf.reduce_sum(w)
    grad_w, grad_v = tf.gradients(loss, [w, v])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(losses + [total, grad_w, grad_v])
    assert values[0] == pytest.approx(0.1 * 5 / 2) and values[1] == pytest.approx(0.5 * 7)
    assert values[2] == pytest.approx(0.25 + 3.5)
    assert values[3][0].tolist() == pytest.approx([1.1, 0.8])  # 1 + 0.1 * w
    assert values[4].tolist() == [0.5, -0.5, 0.0]  # 0.5 * sign(v), 0 at 0


def test_regularizer_scale_checks_and_an_empty_total():
    with pytest.raises(ValueError, match="scale cannot be an integer: 1"):
        tf.contrib.layers.l2_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        tf.contrib.layers.l1_regularizer(-0.5)
    assert tf.contrib.layers.l2_regularizer(0.0)(tf.Variable(1.0)) is None
    with tf.Session() as sess:
        assert sess.run(tf.losses.get_regularization_loss()) == 0.0


def test_local_variables_and_the_deprecated_initializer_alias():
    local = tf.Variable(5, name="counter", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    glob = tf.Variable(1.0, name="g")
    assert tf.local_variables() == [local] and tf.global_variables() == [glob]
    with tf.Session() as sess:
        sess.run([tf.initialize_all_variables(), tf.local_variables_initializer()])
        assert sess.run([local, glob]) == [5, 1.0]


@given(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=6),
       st.sampled_from([None, True, "auto"]))
def test_sharing_rules_property(names, mode):
    """Asking for names in one scope: AUTO_REUSE shares, None refuses repeats, True needs
    existing variables; each name is made at most once."""
    tf.reset_default_graph()
    made = {}
    for name in names:
        reuse = tf.AUTO_REUSE if mode == "auto" else mode
        try:
            with tf.variable_scope("s", reuse=reuse):
                v = tf.get_variable(name, [2])
        except ValueError as e:
            expected = "already exists" if mode is None else "does not exist"
            assert expected in str(e)
            assert (name in made) == (mode is None)
            continue
        assert mode != True or name in made  # noqa: E712
        if name in made:
            assert v is made[name] and mode is not None
        made[name] = v
    assert sorted(v.name for v in tf.global_variables()) == sorted("s/%s:0" % n for n in made)


def test_a_default_named_scope_takes_a_name_scope_unique_among_the_graphs_names():
    # TF1: the variable scope counts variable scopes, the name scope counts graph names
    with tf.variable_scope("dense"):
        tf.get_variable("kernel", [1])
    tf.constant(0.0, name="dense_1")  # takes the name scope "dense_1" from the graph
    with tf.variable_scope(None, default_name="dense") as scope:
        v = tf.get_variable("kernel", [1])
        c = tf.constant(1.0, name="c")
    assert scope.name == "dense_1" and v.name == "dense_1/kernel:0"
    assert c.name == "dense_2/c:0" and scope.original_name_scope == "dense_2/"
