"""Traced runs (RunOptions/RunMetadata), the Chrome trace of a Timeline, md.summary() and
Session.describe_plan."""
import json

import numpy as np
import pytest

import tinygraph as tf
from tinygraph import errors
from tinygraph.client.timeline import Timeline

from .fusion_graphs import setting

FULL = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)


def article_graph():
    x = tf.placeholder(tf.float32, [None, 4], name="images")
    y = tf.placeholder(tf.int64, [None], name="labels")
    w = tf.Variable(tf.zeros([4, 3]), name="weights")
    b = tf.Variable(tf.zeros([3]), name="biases")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=tf.matmul(x, w) + b))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    feed = {x: np.arange(20, dtype=np.float32).reshape(5, 4) / 10, y: [0, 1, 2, 0, 1]}
    return train, loss, w, feed


def test_a_traced_run_gives_the_same_values_and_one_stat_per_step(backend):
    train, loss, w, feed = article_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        md = tf.RunMetadata()
        traced = sess.run([loss, w], feed, options=FULL, run_metadata=md)
        plain = sess.run([loss, w], feed)
        np.testing.assert_array_equal(traced[1], plain[1])
        assert traced[0] == plain[0]
        (device,) = md.step_stats.dev_stats
        assert device.device.endswith("CPU:0")
        names = [s.node_name for s in device.node_stats]
        plan = sess._plans[next(reversed(list(sess._plans)))]
        assert len(names) == len(plan.steps)
        assert "MatMul" in names and "Mean" in names
        for s in device.node_stats:
            assert s.op_end_rel_micros >= 0 and s.all_start_micros > 0
            assert s.kernel in ("numba", "numpy")
        xent = next(s for s in device.node_stats if s.op_type.startswith("SparseSoftmax"))
        assert [o.tensor_description.shape for o in xent.output] == [[5], [5, 3]]
        assert xent.kernel == ("numba" if backend == "numba" else "numpy")
        assert xent.output[1].tensor_description.allocation_description.allocated_bytes == 60
        starts = [s.all_start_micros for s in device.node_stats]
        assert starts == sorted(starts)


def test_a_fused_step_that_writes_over_its_input_is_traced_as_allocating_nothing():
    train, loss, w, feed = article_graph()
    with setting(fusion=True), tf.Session() as sess:  # fused kernels from the first run
        sess.run(tf.global_variables_initializer())
        md = tf.RunMetadata()
        sess.run(train, feed, options=FULL, run_metadata=md)
    stats = {s.node_name: s for s in md.step_stats.dev_stats[0].node_stats}
    product = stats["MatMul"]  # a fresh array, then the cross-entropy's gradient goes over it
    assert product.allocated_bytes == 60
    [xent] = [s for s in stats.values() if any("SparseSoftmax" in n for n in s.fused_ops)]
    assert xent.output[0].tensor_description.shape == [5, 3] and xent.allocated_bytes == 0
    # the updates return the variables' storage, written in place: nothing allocated
    updates = [s for s in stats.values() if s.node_name.endswith("ApplyGradientDescent")]
    assert len(updates) == 2 and all(s.allocated_bytes == 0 for s in updates)


def test_tracing_uses_the_same_plan_and_an_untraced_run_records_nothing():
    train, loss, w, feed = article_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, feed)
        count = sess.compile_count
        md = tf.RunMetadata()
        sess.run(train, feed, options=FULL, run_metadata=md)
        assert sess.compile_count == count
        recorded = len(md.step_stats.dev_stats[0].node_stats)
        sess.run(train, feed, run_metadata=md)  # no options: not traced
        sess.run(train, feed, options=tf.RunOptions(), run_metadata=md)
        assert len(md.step_stats.dev_stats[0].node_stats) == recorded


def test_a_failing_traced_run_keeps_the_steps_before_the_failure():
    train, loss, w, feed = article_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        md = tf.RunMetadata()
        bad = dict(feed)
        bad[next(k for k in feed if k.name == "labels:0")] = [0, 1, 2, 0, 9]
        with pytest.raises(errors.InvalidArgumentError):
            sess.run(train, bad, options=FULL, run_metadata=md)
        names = [s.node_name for s in md.step_stats.dev_stats[0].node_stats]
        assert "MatMul" in names and not any("ApplyGradientDescent" in n for n in names)


def _check_trace_event(event):
    """The fields the trace-event format requires for the phases we write."""
    assert event["ph"] in ("X", "M", "s", "f", "C")
    assert isinstance(event["pid"], int) and isinstance(event["tid"], int)
    assert isinstance(event["name"], str) and event["name"]
    if event["ph"] == "M":
        assert event["name"] in ("process_name", "process_sort_index") and "args" in event
    else:
        assert isinstance(event["ts"], (int, float)) and event["ts"] >= 0
    if event["ph"] == "X":
        assert isinstance(event["dur"], (int, float)) and event["dur"] > 0
        assert isinstance(event["args"], dict)
    if event["ph"] in ("s", "f"):
        assert isinstance(event["id"], int)


def test_the_timeline_is_valid_chrome_trace_json():
    train, loss, w, feed = article_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        md = tf.RunMetadata()
        sess.run(train, feed, options=FULL, run_metadata=md)
    trace = json.loads(Timeline(md.step_stats).generate_chrome_trace_format(show_memory=True))
    events = trace["traceEvents"]
    for event in events:
        _check_trace_event(event)
    ops = [e for e in events if e["ph"] == "X"]
    assert len(ops) == len(md.step_stats.dev_stats[0].node_stats)
    assert "MatMul" in {e["args"]["name"] for e in ops}
    starts = [e for e in events if e["ph"] == "s"]
    ends = [e for e in events if e["ph"] == "f"]
    assert starts and sorted(e["id"] for e in starts) == sorted(e["id"] for e in ends)
    by_name = {e["args"]["name"]: e for e in ops}
    for s in starts:  # each arrow starts at the op that produced the tensor it carries
        assert by_name[s["name"].rpartition(":")[0]]["ts"] == s["ts"]


def test_summary_prints_the_slowest_ops(capsys):
    train, loss, w, feed = article_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        md = tf.RunMetadata()
        sess.run(train, feed, options=FULL, run_metadata=md)
    text = md.summary()
    printed = capsys.readouterr().out
    assert text in printed
    lines = text.splitlines()
    assert lines[0].startswith("%d steps in" % len(md.step_stats.dev_stats[0].node_stats))
    rows = lines[2:]
    assert len(rows) == 5
    shares = [float(r.split("%")[0].split()[-1]) for r in rows]
    assert shares == sorted(shares, reverse=True) and sum(shares) <= 100.05
    assert "no traced run" in tf.RunMetadata().summary(print_fn=lambda s: None)


def test_describe_plan_shows_steps_slots_copies_and_checks_without_running():
    train, loss, w, feed = article_graph()
    with tf.Session() as sess:
        text = sess.describe_plan([train, w], feed)  # nothing initialized: nothing runs
        assert "feed   $1 <- images:0" in text and "feed   $2 <- labels:0" in text
        assert "MatMul MatMul(" in text
        assert "check the writes before the first one lands" in text
        assert "copy $" in text and "writes its variable" in text  # w is fetched after its update
        lines = text.splitlines()
        assert lines[-2:] == ["  fetch  None (an op)", lines[-1]]
        assert sess.describe_plan([train, w], list(feed)) == text  # the same cached plan
        sess.run(tf.global_variables_initializer())
        sess.run([train, w], feed)
        assert "copy" not in sess.describe_plan(train, feed)


def test_run_metadata_round_trips_through_tf1s_proto_bytes():
    """SerializeToString/ParseFromString need no protobuf library (the bytes are checked
    against TensorBoard's compiled protos in tests/followup/test_run_metadata.py)."""
    train, loss, w, feed = article_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        md = tf.RunMetadata()
        sess.run([train, loss], feed, options=FULL, run_metadata=md)
    data = md.SerializeToString()
    back = tf.RunMetadata()
    assert back.ParseFromString(data) == len(data)
    (ours,), (read,) = md.step_stats.dev_stats, back.step_stats.dev_stats
    assert read.device == ours.device
    assert [(s.node_name, s.op_type, s.all_start_micros, s.timeline_label)
            for s in read.node_stats] == \
        [(s.node_name, s.op_type, s.all_start_micros, s.timeline_label)
         for s in ours.node_stats]
    for a, b in zip(ours.node_stats, read.node_stats):
        assert b.op_end_rel_micros == pytest.approx(a.op_end_rel_micros, abs=0.0005)
        assert b.allocated_bytes == a.allocated_bytes
        assert [o.tensor_description.shape for o in b.output] == \
            [o.tensor_description.shape for o in a.output]
    assert "SparseSoftmaxCrossEntropyWithLogits" in back.summary(print_fn=lambda t: None)
    assert back.SerializeToString() == data
    assert tf.RunMetadata().SerializeToString() == b""
    with pytest.raises(ValueError, match="not a serialized RunMetadata"):
        tf.RunMetadata().ParseFromString(b"\x0a\x09truncated")
