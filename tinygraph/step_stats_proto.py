"""A traced run's ``RunMetadata`` and ``StepStats`` as bytes of TF1's protocol buffers, and
back, written by hand (no protobuf library needed; see summary/encoding.py for the wire
format). ``RunMetadata.SerializeToString`` and ``FileWriter.add_run_metadata`` both write
these bytes.

The messages and field numbers are TF1's (config.proto, step_stats.proto,
tensor_description.proto, tensor_shape.proto, allocation_description.proto)::

    RunMetadata      1 step_stats
    StepStats        1 dev_stats (repeated)
    DeviceStepStats  1 device, 2 node_stats (repeated)
    NodeExecStats    1 node_name, 2 all_start_micros, 3 op_start_rel_micros,
                     4 op_end_rel_micros, 5 all_end_rel_micros, 7 output (repeated),
                     8 timeline_label, 10 thread_id, 13 all_start_nanos,
                     14 op_start_rel_nanos, 15 op_end_rel_nanos, 16 all_end_rel_nanos
    NodeOutput       1 slot, 3 tensor_description
    TensorDescription  1 dtype, 2 shape, 4 allocation_description
    TensorShapeProto 2 dim (repeated; Dim: 1 size)
    AllocationDescription  1 requested_bytes, 2 allocated_bytes, 3 allocator_name

Times are whole microseconds in the ``*_micros`` fields and exact to the nanosecond in the
``*_nanos`` ones. As proto3 does, fields at their default (0, "") are left out. A
NodeExecStats' ``op_type``, ``kernel`` and ``fused_ops`` are tinygraph's own and have no
field: parsing reads the op type back from the ``timeline_label`` ("name = Type(inputs)")
and leaves the kernel unknown ("").
"""
from .summary.encoding import _VARINT, _fields, _key, _length_delimited, _varint

__all__ = ["DATA_TYPES", "run_metadata_bytes", "step_stats_bytes", "parse_run_metadata",
           "parse_step_stats"]

# TF's DataType numbers (types.proto), by tinygraph's dtype names (numpy's, and "string").
DATA_TYPES = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
              "string": 7, "int64": 9, "bool": 10, "float16": 19}
_NUMPY_NAMES = {v: k for k, v in DATA_TYPES.items()}
_NUMPY_NAMES[7] = "object"  # numpy's name for a string tensor's values


def _int(field, n):
    """A varint field (int64, int32, uint32, enum), left out at 0; negatives as 64 bits."""
    n = int(n)
    return _key(field, _VARINT) + _varint(n & 0xFFFFFFFFFFFFFFFF) if n else b""


def _str(field, text):
    return _length_delimited(field, text.encode("utf-8")) if text else b""


def _dtype_number(name):
    return 7 if name == "object" else DATA_TYPES.get(name, 0)  # 0: DT_INVALID


def _output(out):
    desc = out.tensor_description
    alloc = desc.allocation_description
    shape = b"".join(_length_delimited(2, _int(1, d)) for d in desc.shape)
    allocation = (_int(1, alloc.requested_bytes) + _int(2, alloc.allocated_bytes)
                  + _str(3, "cpu"))
    description = (_int(1, _dtype_number(str(desc.dtype))) + _length_delimited(2, shape)
                   + _length_delimited(4, allocation))
    return _int(1, out.slot) + _length_delimited(3, description)


def _node_stats(s):
    start = int(s.all_start_micros)
    return b"".join([
        _str(1, s.node_name), _int(2, start), _int(3, s.op_start_rel_micros),
        _int(4, round(s.op_end_rel_micros)), _int(5, round(s.all_end_rel_micros)),
        b"".join(_length_delimited(7, _output(out)) for out in s.output),
        _str(8, s.timeline_label), _int(10, s.thread_id & 0xFFFFFFFF),  # a uint32
        _int(13, start * 1000), _int(14, s.op_start_rel_micros * 1000),
        _int(15, round(s.op_end_rel_micros * 1000)),
        _int(16, round(s.all_end_rel_micros * 1000))])


def step_stats_bytes(step_stats):
    """The serialized StepStats of ``step_stats`` (a ``tf.RunMetadata().step_stats``)."""
    return b"".join(
        _length_delimited(1, _str(1, device.device) + b"".join(
            _length_delimited(2, _node_stats(s)) for s in device.node_stats))
        for device in step_stats.dev_stats)


def run_metadata_bytes(run_metadata):
    """The serialized RunMetadata of a ``tf.RunMetadata``: its step stats, when traced."""
    if not run_metadata.step_stats.dev_stats:
        return b""  # an untraced run leaves step_stats unset
    return _length_delimited(1, step_stats_bytes(run_metadata.step_stats))


def _message(data):
    """{field number: [values]} of a serialized message."""
    fields = {}
    for field, _, value in _fields(data):
        fields.setdefault(field, []).append(value)
    return fields


def _one(fields, number, default):
    return fields.get(number, [default])[-1]


def _signed(n):
    return n - (1 << 64) if n >= 1 << 63 else n


def _parse_output(data):
    from .tracing import AllocationDescription, NodeOutput, TensorDescription
    fields = _message(data)
    desc = _message(_one(fields, 3, b""))
    alloc = _message(_one(desc, 4, b""))
    shape = [_signed(_one(_message(d), 1, 0))
             for d in _message(_one(desc, 2, b"")).get(2, [])]
    return NodeOutput(_one(fields, 1, 0), TensorDescription(
        _NUMPY_NAMES.get(_one(desc, 1, 0), "invalid"), shape,
        AllocationDescription(_signed(_one(alloc, 1, 0)), _signed(_one(alloc, 2, 0)))))


def _parse_node_stats(data):
    from .tracing import NodeExecStats
    f = _message(data)
    label = _one(f, 8, b"").decode("utf-8")
    op_type = label.partition(" = ")[2].partition("(")[0]
    nanos = _one(f, 15, None)
    duration = nanos / 1000.0 if nanos is not None else float(_one(f, 4, 0))
    stats = NodeExecStats(
        _one(f, 1, b"").decode("utf-8"), op_type, _signed(_one(f, 2, 0)), duration,
        [_parse_output(o) for o in f.get(7, [])], label, kernel="",
        thread_id=_one(f, 10, 0))
    stats.op_start_rel_micros = _signed(_one(f, 3, 0))
    end_nanos = _one(f, 16, None)
    stats.all_end_rel_micros = (end_nanos / 1000.0 if end_nanos is not None
                                else float(_one(f, 5, 0)))
    return stats


def parse_step_stats(data):
    """A ``StepStats`` read from the bytes of TF1's StepStats message.

    Raises:
        ValueError: ``data`` is not a serialized StepStats.
    """
    from .tracing import DeviceStepStats, StepStats
    try:
        devices = []
        for device in _message(data).get(1, []):
            fields = _message(device)
            devices.append(DeviceStepStats(
                _one(fields, 1, b"").decode("utf-8"),
                [_parse_node_stats(s) for s in fields.get(2, [])]))
        return StepStats(devices)
    except (IndexError, TypeError, ValueError, AttributeError, UnicodeDecodeError) as e:
        raise ValueError("not a serialized StepStats: %s" % e) from None


def parse_run_metadata(data):
    """The ``StepStats`` of the bytes of TF1's RunMetadata message (its other fields, cost
    graph and partition graphs, are not read).

    Raises:
        ValueError: ``data`` is not a serialized RunMetadata.
    """
    try:
        return parse_step_stats(_one(_message(data), 1, b""))
    except (IndexError, TypeError, ValueError) as e:
        raise ValueError("not a serialized RunMetadata: %s" % e) from None
