"""RunMetadata.SerializeToString / ParseFromString and FileWriter.add_run_metadata: a traced
run in the bytes of TF1's RunMetadata and StepStats protos, checked against TensorBoard's
compiled copies of those protos; in the event file as TF1 wrote it (an Event with
``tagged_run_metadata``), read back with TensorBoard's EventAccumulator and the raw event
records. Skipped when the tensorboard package is not installed."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinygraph as tf
from tinygraph import tracing
from tinygraph.summary.writer import run_metadata_proto

config_pb2 = pytest.importorskip(
    "tensorboard.compat.proto.config_pb2",
    reason="the tensorboard package's compiled TF protos decode the bytes")
event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator")
from tensorboard.backend.event_processing import event_file_loader  # noqa: E402
from tensorboard.compat.proto import (allocation_description_pb2,  # noqa: E402
                                      step_stats_pb2, tensor_description_pb2,
                                      tensor_shape_pb2)

FULL = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)


def traced_training_step():
    """The article's graph on a tiny batch: one traced training step's RunMetadata."""
    x = tf.placeholder(tf.float32, [None, 4], name="images")
    y = tf.placeholder(tf.int64, [None], name="labels")
    with tf.name_scope("model"):
        w = tf.Variable(tf.zeros([4, 3]), name="weights")
        b = tf.Variable(tf.zeros([3]), name="biases")
        logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    feed = {x: np.arange(20, dtype=np.float32).reshape(5, 4), y: [0, 1, 2, 0, 1]}
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    md = tf.RunMetadata()
    sess.run([train, loss], feed, options=FULL, run_metadata=md)
    return sess, md


def test_the_proto_carries_every_step_with_tf1_fields():
    sess, md = traced_training_step()
    proto = run_metadata_proto(md)
    assert isinstance(proto, config_pb2.RunMetadata)
    (ours,) = md.step_stats.dev_stats
    (dev,) = proto.step_stats.dev_stats
    assert dev.device == ours.device and dev.device.endswith("CPU:0")
    assert [n.node_name for n in dev.node_stats] == [s.node_name for s in ours.node_stats]
    assert "model/MatMul" in [n.node_name for n in dev.node_stats]
    for node, s in zip(dev.node_stats, ours.node_stats):
        assert node.all_start_micros == s.all_start_micros
        assert node.op_end_rel_micros == round(s.op_end_rel_micros)
        assert node.op_end_rel_nanos == round(s.op_end_rel_micros * 1000)
        assert node.timeline_label == s.timeline_label
        assert len(node.output) == len(s.output)
    # the cross-entropy's step (fused with its gradient unless TINYGRAPH_FUSION=0): the
    # per-example losses and a [5, 3] float array (its backprop, or the logits' gradient)
    xent = next(n for n, s in zip(dev.node_stats, ours.node_stats)
                if s.op_type.startswith("SparseSoftmax") or
                any(m.endswith("/SparseSoftmaxCrossEntropyWithLogits") for m in s.fused_ops))
    loss_out, backprop = xent.output
    assert [d.size for d in backprop.tensor_description.shape.dim] == [5, 3]
    assert backprop.tensor_description.dtype == 1  # DT_FLOAT
    assert backprop.tensor_description.allocation_description.allocated_bytes == 60
    sess.close()


def test_add_run_metadata_writes_a_tagged_run_metadata_event(tmp_path):
    sess, md = traced_training_step()
    with tf.summary.FileWriter(str(tmp_path), sess.graph) as writer:
        writer.add_run_metadata(md, "step7", global_step=7)
    sess.close()
    acc = event_accumulator.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert acc.Tags()["run_metadata"] == ["step7"]
    read = acc.RunMetadata("step7")
    assert read == run_metadata_proto(md)

    (path,) = tmp_path.iterdir()
    events = list(event_file_loader.LegacyEventFileLoader(str(path)).Load())
    tagged = [e for e in events if e.HasField("tagged_run_metadata")]
    assert len(tagged) == 1 and tagged[0].step == 7
    assert tagged[0].tagged_run_metadata.tag == "step7"
    names = [n.node_name for n in config_pb2.RunMetadata.FromString(
        tagged[0].tagged_run_metadata.run_metadata).step_stats.dev_stats[0].node_stats]
    assert "model/MatMul" in names and "GradientDescent/update_model/weights/" \
        "ApplyGradientDescent" in names


def test_add_run_metadata_refuses_what_tf1_refuses(tmp_path):
    sess, md = traced_training_step()
    sess.close()
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_run_metadata(md, "a")
        with pytest.raises(ValueError, match="already used"):
            writer.add_run_metadata(md, "a")
        with pytest.raises(ValueError, match="non-empty tag"):
            writer.add_run_metadata(md, "")
        with pytest.raises(TypeError, match="needs a tf.RunMetadata, got dict"):
            writer.add_run_metadata({}, "b")
    with pytest.raises(RuntimeError, match="closed"):
        writer.add_run_metadata(md, "c")


def test_an_untraced_run_metadata_is_written_empty(tmp_path):
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_run_metadata(tf.RunMetadata(), "nothing")
    acc = event_accumulator.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert acc.RunMetadata("nothing") == config_pb2.RunMetadata()


def reference_step_stats(step_stats):
    """The StepStats proto of ``step_stats`` built field by field with TensorBoard's classes:
    what the hand-written bytes must equal."""
    proto = step_stats_pb2.StepStats()
    for device in step_stats.dev_stats:
        dev = proto.dev_stats.add(device=device.device)
        for s in device.node_stats:
            node = dev.node_stats.add(
                node_name=s.node_name, timeline_label=s.timeline_label,
                all_start_micros=int(s.all_start_micros),
                op_start_rel_micros=int(s.op_start_rel_micros),
                op_end_rel_micros=round(s.op_end_rel_micros),
                all_end_rel_micros=round(s.all_end_rel_micros),
                all_start_nanos=int(s.all_start_micros) * 1000,
                op_start_rel_nanos=int(s.op_start_rel_micros * 1000),
                op_end_rel_nanos=round(s.op_end_rel_micros * 1000),
                all_end_rel_nanos=round(s.all_end_rel_micros * 1000),
                thread_id=s.thread_id & 0xFFFFFFFF)
            for out in s.output:
                desc = out.tensor_description
                alloc = desc.allocation_description
                node.output.append(step_stats_pb2.NodeOutput(
                    slot=out.slot,
                    tensor_description=tensor_description_pb2.TensorDescription(
                        dtype={"float32": 1, "int64": 9, "bool": 10}[desc.dtype],
                        shape=tensor_shape_pb2.TensorShapeProto(dim=[
                            tensor_shape_pb2.TensorShapeProto.Dim(size=d)
                            for d in desc.shape]),
                        allocation_description=allocation_description_pb2
                        .AllocationDescription(requested_bytes=alloc.requested_bytes,
                                               allocated_bytes=alloc.allocated_bytes,
                                               allocator_name="cpu"))))
    return proto


def test_serialize_to_string_is_tf1s_run_metadata_byte_for_byte():
    sess, md = traced_training_step()
    sess.close()
    reference = config_pb2.RunMetadata()
    reference.step_stats.CopyFrom(reference_step_stats(md.step_stats))
    data = md.SerializeToString()
    assert isinstance(data, bytes)
    assert data == reference.SerializeToString()
    assert md.step_stats.SerializeToString() == reference.step_stats.SerializeToString()
    decoded = step_stats_pb2.StepStats.FromString(md.step_stats.SerializeToString())
    names = [n.node_name for n in decoded.dev_stats[0].node_stats]
    assert names == [s.node_name for s in md.step_stats.dev_stats[0].node_stats]
    assert tf.RunMetadata().SerializeToString() == config_pb2.RunMetadata() \
        .SerializeToString() == b""


def test_parse_from_string_reads_tensorboards_bytes_back():
    sess, md = traced_training_step()
    sess.close()
    data = run_metadata_proto(md).SerializeToString()  # written by the protobuf library
    read = tf.RunMetadata()
    assert read.ParseFromString(data) == len(data)
    (ours,), (back,) = md.step_stats.dev_stats, read.step_stats.dev_stats
    assert back.device == ours.device
    for a, b in zip(ours.node_stats, back.node_stats, strict=True):
        assert (b.node_name, b.op_type, b.timeline_label, b.all_start_micros) == \
            (a.node_name, a.op_type, a.timeline_label, a.all_start_micros)
        assert b.op_end_rel_micros == round(a.op_end_rel_micros * 1000) / 1000
        assert [(o.slot, o.tensor_description.dtype, o.tensor_description.shape,
                 o.tensor_description.allocation_description.allocated_bytes)
                for o in b.output] == \
            [(o.slot, o.tensor_description.dtype, o.tensor_description.shape,
              o.tensor_description.allocation_description.allocated_bytes)
             for o in a.output]
        assert b.kernel == ""  # not in TF1's proto
    assert read.SerializeToString() == data
    with pytest.raises(ValueError, match="not a serialized"):
        tf.RunMetadata().ParseFromString(b"\x0a\x05ab")


def test_add_run_metadata_stores_what_serialize_to_string_gives(tmp_path):
    sess, md = traced_training_step()
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_run_metadata(md, "step1")
    sess.close()
    (path,) = tmp_path.iterdir()
    (tagged,) = [e.tagged_run_metadata for e in
                 event_file_loader.LegacyEventFileLoader(str(path)).Load()
                 if e.HasField("tagged_run_metadata")]
    assert tagged.run_metadata == md.SerializeToString()


_names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_outputs = st.lists(st.tuples(
    st.sampled_from(["float32", "int64", "bool"]),
    st.lists(st.integers(0, 2 ** 40), max_size=3),
    st.integers(0, 2 ** 40), st.booleans()), max_size=3)
_node = st.builds(
    lambda name, type_, start, dur, outputs, thread: tracing.NodeExecStats(
        name, type_, start, dur,
        [tracing.NodeOutput(i, tracing.TensorDescription(dtype, shape, tracing
                            .AllocationDescription(size, size if owned else 0)))
         for i, (dtype, shape, size, owned) in enumerate(outputs)],
        "%s = %s()" % (name, type_), "numpy", thread_id=thread),
    _names, st.from_regex(r"[A-Z][A-Za-z0-9]{0,10}", fullmatch=True),
    st.integers(0, 2 ** 53), st.floats(0, 1e7, allow_nan=False), _outputs,
    st.integers(0, 2 ** 64 - 1))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_names, st.lists(_node, max_size=4)), max_size=3))
def test_any_step_stats_serializes_as_protobuf_does(devices):
    stats = tracing.StepStats([tracing.DeviceStepStats(d, nodes) for d, nodes in devices])
    data = stats.SerializeToString()
    assert data == reference_step_stats(stats).SerializeToString()
    back = tracing.StepStats()
    back.ParseFromString(data)
    assert back.SerializeToString() == data
    assert [[(n.node_name, n.op_type, n.all_start_micros) for n in d.node_stats]
            for d in back.dev_stats] == \
        [[(n.node_name, n.op_type, n.all_start_micros) for n in d.node_stats]
         for d in stats.dev_stats]
