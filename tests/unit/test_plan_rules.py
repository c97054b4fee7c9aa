"""The order and sharing rules of a run (plan.py), against a plain evaluator.

Hypothesis builds random small graphs that mix variable reads, views of them (identity,
reshape, expand_dims), arithmetic, writes (assign, assign_add, assign_sub, an optimizer's
apply_gradients) and reads ordered after writes, in random creation orders, and fetches a
random part of them. A Session must give exactly what ``plain_run`` gives: an evaluator
written here independently of plan.py that copies every value it computes and every
variable when the run starts, and schedules by the README's rule with its own simple loop.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinygraph as tf
from tinygraph import errors
from tinygraph.plan import _constant

SHAPE = (3,)


# -- the plain evaluator ----------------------------------------------------------------------
def _needed(fetch_ops):
    needed, todo = set(), list(fetch_ops)
    while todo:
        op = todo.pop()
        if op not in needed:
            needed.add(op)
            todo.extend(t.op for t in op.inputs)
            todo.extend(op.control_inputs)
    return needed


def _is_write(op):
    return op.type in ("Assign", "AssignAdd", "AssignSub", "ApplyGradientDescent")


def _deps(op):
    return [t.op for t in op.inputs] + list(op.control_inputs)


def plain_run(fetches, state):
    """Evaluate ``fetches`` (tensors/ops) given variable values ``state`` {VariableV2 op:
    array}, updating ``state``. Returns the fetched values (None for ops)."""
    fetch_ops = [f if isinstance(f, tf.Operation) else f.op for f in fetches]
    needed = _needed(fetch_ops)
    after_write = {}

    def depends_on_write(op):
        if op not in after_write:
            after_write[op] = any(_is_write(d) or depends_on_write(d) for d in _deps(op))
        return after_write[op]

    def tier(op):
        return 1 if _is_write(op) else 2 if depends_on_write(op) else 0

    values = {}
    done = set()
    while len(done) < len(needed):
        ready = [op for op in needed if op not in done and all(d in done for d in _deps(op))]
        op = min(ready, key=lambda o: (tier(o), o._id))
        done.add(op)
        ins = [values.get(t) for t in op.inputs]
        if op.type == "VariableV2":
            values[op.outputs[0]] = op
        elif op.type == "Identity" and op.inputs[0].dtype.is_ref:
            values[op.outputs[0]] = state[op.inputs[0].op].copy()
        elif op.type in ("Identity", "Reshape", "ExpandDims"):
            shape = op.outputs[0].shape.as_list()
            values[op.outputs[0]] = ins[0].copy().reshape(shape)
        elif op.type == "Const":
            values[op.outputs[0]] = np.array(op.attrs["value"])
        elif op.type in ("Add", "Mul"):
            values[op.outputs[0]] = (ins[0] + ins[1]) if op.type == "Add" else ins[0] * ins[1]
        elif op.type == "Assign":
            state[ins[0]] = ins[1].copy()
            values[op.outputs[0]] = state[ins[0]].copy()
        elif op.type in ("AssignAdd", "AssignSub", "ApplyGradientDescent"):
            delta = {"AssignAdd": -ins[1], "AssignSub": ins[1]}.get(op.type)
            if delta is None:
                delta = ins[1] * ins[2]
            state[ins[0]] = state[ins[0]] - delta
            values[op.outputs[0]] = state[ins[0]].copy()
        elif op.type == "NoOp":
            pass
        else:  # pragma: no cover - the generator below only builds the types above
            raise AssertionError("plain_run does not know %s" % op.type)
    return [values.get(f) if isinstance(f, tf.Tensor) else None for f in fetches]


# -- random graphs ------------------------------------------------------------------------------
def _view(draw, t):
    kind = draw(st.sampled_from(["identity", "reshape", "expand_dims", "none"]))
    if kind == "identity":
        return tf.identity(t)
    if kind == "reshape":
        return tf.reshape(tf.reshape(t, [3, 1]), [3])
    if kind == "expand_dims":
        return tf.reshape(tf.expand_dims(t, 0), [3])
    return t


@st.composite
def programs(draw):
    """(fetches, variables, initial values): a random graph built in a random order."""
    tf.reset_default_graph()
    n_vars = draw(st.integers(1, 3))
    initial = [np.array(draw(st.lists(st.integers(-5, 5), min_size=3, max_size=3)),
                        np.float64) for _ in range(n_vars)]
    variables = [tf.Variable(v, name="v%d" % i) for i, v in enumerate(initial)]
    values, writes = [], []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["read", "read", "arith", "write", "write", "optimizer",
                                     "read_after"]))
        var = draw(st.sampled_from(variables))
        if kind == "read" or not values:
            values.append(_view(draw, var.value()))
        elif kind == "arith":
            a, b = draw(st.sampled_from(values)), draw(st.sampled_from(values))
            values.append(a + b if draw(st.booleans()) else a * 2.0)
        elif kind == "write":
            value = _view(draw, draw(st.sampled_from(values)))
            method = draw(st.sampled_from(["assign", "assign_add", "assign_sub"]))
            written = getattr(var, method)(value)
            writes.append(written)
            if draw(st.booleans()):
                values.append(written)  # a value computed from a write
        elif kind == "optimizer":
            grad = draw(st.sampled_from(values))
            opt = tf.train.GradientDescentOptimizer(draw(st.sampled_from([0.5, 1.0])))
            writes.append(opt.apply_gradients([(grad, var)]))
        else:  # a read that must see an earlier write
            if writes:
                with tf.control_dependencies([draw(st.sampled_from(writes))]):
                    values.append(var.read_value())
    candidates = values + writes + variables
    fetches = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=6))
    return fetches, variables, initial


def _as_fetchable(f):
    return f._snapshot if isinstance(f, tf.Variable) else f


@settings(max_examples=80)
@given(programs())
def test_runs_match_a_plain_evaluator_that_copies_everything(program):
    fetches, variables, initial = program
    state = {v.op: value.copy() for v, value in zip(variables, initial)}
    plain_fetches = [_as_fetchable(f) for f in fetches]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(2):  # the second run starts from the first one's writes
            got = sess.run(fetches)
            want = plain_run(plain_fetches, state)
            for g, w in zip(got, want):
                if w is None:
                    assert g is None
                else:
                    np.testing.assert_array_equal(g, w)
            for v in variables:
                np.testing.assert_array_equal(sess.run(v), state[v.op])


def test_the_issue_example_gives_one_answer_whatever_the_build_order():
    results = []
    for sub_first in (True, False):
        tf.reset_default_graph()
        v = tf.Variable([1.0, 2.0])
        c = tf.Variable([0.0, 0.0])
        if sub_first:
            sub = v.assign_sub([5.0, 5.0])
        y = tf.reduce_sum(tf.identity(v) + c.assign_add([10.0, 10.0]))
        if not sub_first:
            sub = v.assign_sub([5.0, 5.0])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            results.append(sess.run([y, sub])[0])
    assert results == [23.0, 23.0]  # (1 + 2) from v before the write, + 2 * 10 from c


def test_fetched_values_are_snapshots_only_where_needed():
    v = tf.Variable([1.0, 2.0])
    read = tf.identity(v)
    step = v.assign_add([1.0, 1.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        before, after = sess.run([read, step])
        np.testing.assert_array_equal(before, [1, 2])
        np.testing.assert_array_equal(after, [2, 3])
        kept = sess.run(v)
        sess.run(step)
        np.testing.assert_array_equal(kept, [2, 3])  # a fetched value is the caller's
        kept[0] = 100.0
        np.testing.assert_array_equal(sess.run(v), [3, 4])
    # the training step has no snapshot step: nothing reads a variable after its update
    x = tf.placeholder(tf.float32, [None, 2])
    w = tf.Variable(tf.zeros([2, 1]))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_mean(tf.matmul(x, w)))
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(train, {x: np.ones((4, 2), np.float32)})
        plan = next(iter(sess._plans.values()))
        assert not any(fn is np.array for fn, _, _, _ in plan.steps)


def test_a_fetched_constant_or_view_is_writable_and_the_callers():
    c = tf.constant([1.0, 2.0])
    x = tf.placeholder(tf.float32, [2])
    with tf.Session() as sess:
        got = sess.run(c)
        got[0] = 7.0
        np.testing.assert_array_equal(sess.run(c), [1, 2])
        fed = np.array([1.0, 2.0], np.float32)
        same, view = sess.run([x, tf.identity(x)], {x: fed})
        assert same is fed  # TF1: the fed object itself
        fed[0] = 9.0
        np.testing.assert_array_equal(view, [1, 2])


def test_a_variable_cannot_be_fed_and_written_in_one_run():
    v = tf.Variable([1.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(errors.InvalidArgumentError, match="feeds its value"):
            sess.run(v.assign_add([1.0]), {v: [5.0]})
        np.testing.assert_array_equal(sess.run(v, {v: [5.0]}), [5.0])
        np.testing.assert_array_equal(sess.run(v), [1.0])


def test_a_slot_read_in_the_run_that_updates_it_is_its_value_before_the_update():
    # Adam's update writes the variable AND its slots m and v in place (OpDef.writes): the
    # sharing rule must keep a read of a slot that is still needed after the update.
    w = tf.Variable([1.0, -2.0], name="w")
    optimizer = tf.train.AdamOptimizer(0.5)
    train = optimizer.minimize(tf.reduce_sum(w * w))
    m, v = optimizer.get_slot(w, "m"), optimizer.get_slot(w, "v")
    m_view = tf.reshape(m, [2, 1])  # a view of the slot's storage
    v_sum = tf.reduce_sum(v)  # computed before the update, no copy needed
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        m1, v1, w1 = sess.run([m, v, w])
        got = sess.run([train, m, m_view, v, v_sum, w])
        np.testing.assert_array_equal(got[1], m1)
        np.testing.assert_array_equal(got[2], m1.reshape(2, 1))
        np.testing.assert_array_equal(got[3], v1)
        assert got[4] == np.float32(v1.sum())
        np.testing.assert_array_equal(got[5], w1)
        m2 = sess.run(m)
        assert not np.array_equal(m2, m1)  # the run did update the slot
        # a read ordered after the update sees it
        with tf.control_dependencies([train]):
            after = optimizer.get_slot(w, "m").read_value()
        np.testing.assert_array_equal(sess.run(after), sess.run(m))
        # a run may not feed a slot that it writes
        with pytest.raises(errors.InvalidArgumentError, match="feeds its value"):
            sess.run(train, {v: [1.0, 1.0]})


def test_the_momentum_step_copies_nothing_when_nothing_reads_a_slot_after_it():
    x = tf.placeholder(tf.float32, [None, 2])
    w = tf.Variable(tf.zeros([2, 1]))
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(tf.reduce_mean(tf.matmul(x, w)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: np.ones((4, 2), np.float32)})
        plan = list(sess._plans.values())[-1]  # the training step's
        assert not any(fn is np.array for fn, _, _, _ in plan.steps)


def test_a_plan_runs_as_one_generated_function_with_a_line_per_step_in_order():
    x = tf.placeholder(tf.float32, [2])
    v = tf.Variable([1.0, 2.0], name="v")
    total = tf.add(tf.multiply(x, v, name="scaled"), 1.0, name="total")
    update = tf.assign_add(v, total, name="update")
    sess = tf.Session()
    sess.run(v.initializer)
    fetches = [total, update]
    np.testing.assert_array_equal(sess.run(fetches, {x: [3.0, 4.0]})[0], [4.0, 9.0])
    plan = sess._plans[next(reversed(list(sess._plans)))]
    source = plan._run_steps.source.splitlines()
    running = [step for step in plan.steps if not _constant(step)]  # the others: preset
    assert source[0] == "def run_steps(vals, k):" and source[-1] == "    return vals"
    assert len(source) == len(running) + 2
    for line, (fn, ins, out, op) in zip(source[1:], running):
        assert line.split(" = ")[0].strip() == "vals[%d]" % out  # where its value goes
        assert ", ".join("vals[%d]" % k for k in ins) in line and op.name in line
    np.testing.assert_array_equal(sess.run(v), [5.0, 11.0])



@pytest.mark.parametrize("where", ["def", "return"])
def test_an_error_raised_outside_every_step_is_raised_as_it_is(where):
    """An exception raised on the generated function's own lines (as a signal handler's or
    a debugger's may be) blames no op: it is raised as it is, not as some op's error."""
    import sys
    x = tf.placeholder(tf.float32, [2])
    y = tf.square(x) + 1.0
    feed = {x: [1.0, 2.0]}
    sess = tf.Session()
    sess.run(y, feed)
    program = sess._plans[next(reversed(list(sess._plans)))]._run_steps
    line = 1 if where == "def" else len(program.source.splitlines())

    def tracer(frame, event, arg):
        if frame.f_code is not program.__code__:
            return None
        if frame.f_lineno == line and event == ("call" if where == "def" else "line"):
            raise TimeoutError("alarm")
        return tracer

    sys.settrace(tracer)
    try:
        with pytest.raises(TimeoutError, match="alarm"):
            sess.run(y, feed)
    finally:
        sys.settrace(None)
    np.testing.assert_array_equal(sess.run(y, feed), [2.0, 5.0])
