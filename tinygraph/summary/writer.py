"""``FileWriter``: TensorBoard event files (summaries and the graph) in a log directory.

The file format belongs to TensorBoard: ``Event`` protocol buffers framed as TFRecords
(length, masked CRC-32C, data, masked CRC-32C). We use TensorBoard's own protos and record
framing, an optional extra: ``pip install 'tinygraph[tensorboard]'``. Summary ops work
without it. Events are written in this thread, in order (no background writer).
"""
import atexit
import itertools
import os
import socket
import time
import weakref

import numpy as np

from .. import dtypes
from ..graph import Graph
from ..step_stats_proto import DATA_TYPES, run_metadata_bytes

__all__ = ["FileWriter", "graph_def", "run_metadata_proto"]

INSTALL_HINT = ("tf.summary.FileWriter writes TensorBoard files and needs TensorBoard: "
                "pip install 'tinygraph[tensorboard]'")


def _tensorboard():
    """TensorBoard's proto classes and event writer; ImportError with one line if missing."""
    try:
        from tensorboard.compat.proto import (attr_value_pb2, config_pb2, event_pb2,
                                              graph_pb2, node_def_pb2, summary_pb2,
                                              tensor_pb2, tensor_shape_pb2)
        # Only the record framing: TensorBoard's own EventFileWriter would look for a
        # TensorFlow to write files with, and under `python -m tinygraph run` that is us.
        from tensorboard.summary.writer.record_writer import RecordWriter
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    return dict(attr_value=attr_value_pb2, event=event_pb2, graph=graph_pb2,
                node=node_def_pb2, summary=summary_pb2, tensor=tensor_pb2, shape=tensor_shape_pb2,
                config=config_pb2, RecordWriter=RecordWriter)


def _data_type(dtype):
    """TF's DataType number (types.proto); a *_ref type is its base type + 100."""
    return DATA_TYPES[dtype.base_dtype.name] + (100 if dtype.is_ref else 0)


def _shape_proto(pb, shape):
    if shape.dims is None:
        return pb["shape"].TensorShapeProto(unknown_rank=True)
    return pb["shape"].TensorShapeProto(dim=[
        pb["shape"].TensorShapeProto.Dim(size=-1 if d is None else d) for d in shape.dims])


_SMALL_CONSTANT = 64  # Const values up to this many elements are shown in TensorBoard


def _attr_value(pb, value):
    """An AttrValue for a Python/numpy attribute of an op, or None if it has no TF form."""
    AttrValue = pb["attr_value"].AttrValue
    if isinstance(value, bool):
        return AttrValue(b=value)
    if isinstance(value, (int, np.integer)):
        return AttrValue(i=int(value))
    if isinstance(value, (float, np.floating)):
        return AttrValue(f=float(value))
    if isinstance(value, str):
        return AttrValue(s=value.encode("utf-8"))
    if isinstance(value, dtypes.DType):
        return AttrValue(type=_data_type(value))
    if hasattr(value, "dims"):  # a TensorShape
        return AttrValue(shape=_shape_proto(pb, value))
    if isinstance(value, np.ndarray):
        tensor = pb["tensor"].TensorProto(
            dtype=_data_type(dtypes.as_dtype(value.dtype)),
            tensor_shape=pb["shape"].TensorShapeProto(dim=[
                pb["shape"].TensorShapeProto.Dim(size=d) for d in value.shape]))
        if value.dtype.kind == "O":  # strings: one bytes value each
            if value.size <= _SMALL_CONSTANT:
                tensor.string_val.extend(value.reshape(-1).tolist())
        elif value.size <= _SMALL_CONSTANT:
            tensor.tensor_content = value.astype(value.dtype.newbyteorder("<")).tobytes()
        return AttrValue(tensor=tensor)
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, np.integer))
                                                for v in value):
        return AttrValue(list=AttrValue.ListValue(i=[int(v) for v in value]))
    return None


def graph_def(graph, _pb=None):
    """The GraphDef protocol buffer of ``graph``: every op with its type, inputs
    ("op", "op:1"), control inputs ("^op"), dtype attrs ("dtype" on sources, "T" elsewhere),
    "shape" on placeholders and variables, "_output_shapes", and its own attributes.
    TensorBoard groups the nodes by the name scopes in their names."""
    pb = _pb or _tensorboard()
    nodes = []
    for op in graph.get_operations():
        node = pb["node"].NodeDef(name=op.name, op=op.type)
        node.input.extend(t.op.name if t.value_index == 0 else t.name for t in op.inputs)
        node.input.extend("^" + c.name for c in op.control_inputs)
        for key, value in op.attrs.items():
            if key != "dtype":
                attr = _attr_value(pb, value)
                if attr is not None:
                    node.attr[key].CopyFrom(attr)
        if op.outputs:
            first = op.outputs[0].dtype.base_dtype
            node.attr["dtype" if not op.inputs else "T"].type = _data_type(first)
            node.attr["_output_shapes"].list.shape.extend(
                _shape_proto(pb, t.shape) for t in op.outputs)
        nodes.append(node)
    return pb["graph"].GraphDef(node=nodes)


def run_metadata_proto(run_metadata, _pb=None):
    """TensorBoard's ``RunMetadata`` proto of a traced run (``tf.RunMetadata``), read from
    the bytes ``run_metadata.SerializeToString()`` gives (tinygraph.step_stats_proto)."""
    pb = _pb or _tensorboard()
    return pb["config"].RunMetadata.FromString(run_metadata_bytes(run_metadata))


_open_writers = weakref.WeakSet()
_file_numbers = itertools.count()  # two writers in one second get two files


@atexit.register
def _close_open_writers():
    """At exit, flush what open writers still hold (their writing thread would drop it)."""
    for writer in list(_open_writers):
        writer.close()


class FileWriter:
    """Writes summaries and graphs to a new event file in ``logdir`` (made if needed).

    ``tensorboard --logdir LOGDIR`` shows them. Events reach the disk every ``max_queue``
    events or ``flush_secs`` seconds, on ``flush()`` and on ``close()`` (or the end of a
    ``with`` block); writers still open when Python exits are flushed then.

    Raises:
        ImportError: TensorBoard is not installed (one line says what to install).
        TypeError: ``graph`` is not a Graph.
    """

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120,
                 filename_suffix=None, session=None):
        self._pb = _tensorboard()
        self._logdir = str(logdir)
        os.makedirs(self._logdir, exist_ok=True)
        name = "events.out.tfevents.%010d.%s.%d.%d%s" % (
            time.time(), socket.gethostname(), os.getpid(), next(_file_numbers),
            filename_suffix or "")
        self._records = self._pb["RecordWriter"](open(os.path.join(self._logdir, name), "wb"))
        self._max_queue, self._flush_secs = max_queue, flush_secs
        self._pending, self._last_flush = 0, time.time()
        self._closed = False
        self._run_metadata_tags = set()
        _open_writers.add(self)
        self._add(file_version="brain.Event:2")  # the first event of every event file
        self.flush()
        if graph is not None:
            self.add_graph(graph)

    def get_logdir(self):
        return self._logdir

    def add_event(self, event):
        """Append an ``Event`` protocol buffer to the file."""
        if self._closed:
            raise RuntimeError("This FileWriter is closed; make a new one to write more.")
        self._records.write(event.SerializeToString())
        self._pending += 1
        if self._pending >= self._max_queue or \
                time.time() - self._last_flush >= self._flush_secs:
            self.flush()

    def add_summary(self, summary, global_step=None):
        """Add a summary: the ``bytes`` a summary op returned, or a ``Summary`` proto.

        Raises:
            TypeError: ``summary`` is neither.
        """
        Summary = self._pb["summary"].Summary
        if isinstance(summary, (bytes, np.bytes_)):
            try:
                summary = Summary.FromString(bytes(summary))
            except Exception as e:  # protobuf's DecodeError
                raise TypeError("add_summary got bytes that are not a serialized Summary: %s"
                                % e) from None
        elif not isinstance(summary, Summary):
            raise TypeError("add_summary needs the value of a summary op (bytes) or a "
                            "Summary, got %s" % type(summary).__name__)
        self._add(summary=summary, step=global_step)

    def add_graph(self, graph, global_step=None):
        """Add ``graph`` (a tinygraph Graph, e.g. ``sess.graph``) for TensorBoard's graph tab."""
        if not isinstance(graph, Graph):
            raise TypeError("add_graph needs a tinygraph Graph, got %s" % type(graph).__name__)
        self._add(graph_def=graph_def(graph, self._pb).SerializeToString(), step=global_step)

    def add_run_metadata(self, run_metadata, tag, global_step=None):
        """Add a traced run (the ``tf.RunMetadata`` a ``Session.run`` with
        ``RunOptions(trace_level=FULL_TRACE)`` filled) under ``tag``, as TF1 did: an Event
        whose ``tagged_run_metadata`` holds the tag and the serialized RunMetadata proto.
        TensorBoard's graph tab lists it under "Session runs".

        Raises:
            TypeError: ``run_metadata`` is not a RunMetadata.
            ValueError: ``tag`` is empty, or was already used in this writer.
        """
        if not hasattr(run_metadata, "step_stats"):
            raise TypeError("add_run_metadata needs a tf.RunMetadata, got %s"
                            % type(run_metadata).__name__)
        if not isinstance(tag, str) or not tag:
            raise ValueError("add_run_metadata needs a non-empty tag, got %r" % (tag,))
        if tag in self._run_metadata_tags:
            raise ValueError("The tag %r was already used for run metadata in this FileWriter; "
                             "give each traced run its own tag (e.g. 'step%%d')." % tag)
        self._run_metadata_tags.add(tag)
        tagged = self._pb["event"].TaggedRunMetadata(
            tag=tag, run_metadata=run_metadata_bytes(run_metadata))
        self._add(tagged_run_metadata=tagged, step=global_step)

    def _add(self, step=None, **fields):
        event = self._pb["event"].Event(wall_time=time.time(), **fields)
        if step is not None:
            event.step = int(step)
        self.add_event(event)

    def flush(self):
        """Write everything added so far to disk."""
        if not self._closed:
            self._records.flush()
            self._pending, self._last_flush = 0, time.time()

    def close(self):
        """Flush and close the event file; closing twice is harmless."""
        if not self._closed:
            self._records.close()  # flushes
            self._closed = True
            _open_writers.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
