"""A traced run: ``RunOptions`` asks for it, ``RunMetadata`` receives it, in TF1's layout.

    md = tf.RunMetadata()
    sess.run(train_op, feed, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
             run_metadata=md)
    md.summary()                                        # the five slowest ops, in the terminal
    Timeline(md.step_stats).generate_chrome_trace_format()   # tinygraph.client.timeline

``md.step_stats.dev_stats[0].node_stats`` holds one ``NodeExecStats`` per plan step, with
TF1's field names (``node_name``, ``all_start_micros``, ``op_end_rel_micros``, ``output``,
``timeline_label``...) and two of tinygraph's own: ``kernel`` (which kernel backend ran
it) and ``fused_ops`` (the ops inside a fused group; empty otherwise). A run without
options takes the ordinary path and pays nothing for tracing.
"""
import threading
import time

import numpy as np

from . import kernels
from .plan import step_kind

__all__ = ["RunOptions", "RunMetadata", "StepStats", "DeviceStepStats", "NodeExecStats",
           "NodeOutput", "TensorDescription", "AllocationDescription", "run_traced"]

DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class RunOptions:
    """Options for one ``Session.run``; only ``trace_level`` does anything."""

    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3

    def __init__(self, trace_level=0, timeout_in_ms=0, output_partition_graphs=False,
                 **unused):
        self.trace_level = trace_level
        self.timeout_in_ms = timeout_in_ms
        self.output_partition_graphs = output_partition_graphs


class AllocationDescription:
    def __init__(self, requested_bytes, allocated_bytes):
        self.requested_bytes = requested_bytes
        self.allocated_bytes = allocated_bytes  # 0 for a view of memory owned elsewhere


class TensorDescription:
    def __init__(self, dtype, shape, allocation_description):
        self.dtype = dtype
        self.shape = shape
        self.allocation_description = allocation_description


class NodeOutput:
    def __init__(self, slot, tensor_description):
        self.slot = slot
        self.tensor_description = tensor_description


class NodeExecStats:
    """What one step of a traced run did (TF1's fields; times in microseconds)."""

    def __init__(self, node_name, op_type, all_start_micros, duration_micros, output,
                 timeline_label, kernel, fused_ops=(), thread_id=0):
        self.node_name = node_name
        self.op_type = op_type
        self.all_start_micros = all_start_micros
        self.op_start_rel_micros = 0
        self.op_end_rel_micros = duration_micros
        self.all_end_rel_micros = duration_micros
        self.output = output
        self.timeline_label = timeline_label
        self.kernel = kernel
        self.fused_ops = list(fused_ops)
        self.thread_id = thread_id

    @property
    def allocated_bytes(self):
        return sum(o.tensor_description.allocation_description.allocated_bytes
                   for o in self.output)


class DeviceStepStats:
    def __init__(self, device, node_stats=None):
        self.device = device
        self.node_stats = node_stats if node_stats is not None else []


class StepStats:
    def __init__(self, dev_stats=None):
        self.dev_stats = dev_stats if dev_stats is not None else []

    def SerializeToString(self):
        """The bytes of TF1's ``StepStats`` protocol buffer (tinygraph.step_stats_proto)."""
        from .step_stats_proto import step_stats_bytes
        return step_stats_bytes(self)

    def ParseFromString(self, data):
        """Replace the devices with those of a serialized ``StepStats``; returns its size."""
        from .step_stats_proto import parse_step_stats
        self.dev_stats = parse_step_stats(bytes(data)).dev_stats
        return len(data)


class RunMetadata:
    """Filled by a traced ``Session.run``: ``step_stats`` (TF1's layout)."""

    def __init__(self):
        self.step_stats = StepStats()

    def SerializeToString(self):
        """The bytes of TF1's ``RunMetadata`` protocol buffer: its ``step_stats``, as
        ``FileWriter.add_run_metadata`` stores them (tinygraph.step_stats_proto says which
        fields; ``kernel`` and ``fused_ops`` have none)."""
        from .step_stats_proto import run_metadata_bytes
        return run_metadata_bytes(self)

    def ParseFromString(self, data):
        """Replace ``step_stats`` with that of a serialized ``RunMetadata`` (op types read
        back from the timeline labels, kernels unknown: ""); returns its size."""
        from .step_stats_proto import parse_run_metadata
        self.step_stats = parse_run_metadata(bytes(data))
        return len(data)

    def summary(self, top=5, print_fn=print):
        """Print (and return) a table of the ``top`` slowest ops: time, share, memory."""
        stats = [s for d in self.step_stats.dev_stats for s in d.node_stats]
        if not stats:
            text = "RunMetadata: no traced run (pass options=RunOptions(trace_level=" \
                   "RunOptions.FULL_TRACE) and run_metadata= to Session.run)"
            print_fn(text)
            return text
        total = sum(s.op_end_rel_micros for s in stats) or 1e-9
        memory = sum(s.allocated_bytes for s in stats)
        rows = sorted(stats, key=lambda s: -s.op_end_rel_micros)[:top]
        width = max(len(s.node_name) for s in rows)
        type_width = max(len(s.op_type) for s in rows)
        lines = ["%d steps in %.1f us, %s allocated; the %d slowest:"
                 % (len(stats), total, _bytes(memory), len(rows)),
                 "  %-*s  %-*s %11s %6s %10s  %s" % (width, "op", type_width, "type", "time",
                                                    "share", "memory", "kernel")]
        for s in rows:
            lines.append("  %-*s  %-*s %8.1f us %5.1f%% %10s  %s" % (
                width, s.node_name, type_width, s.op_type, s.op_end_rel_micros,
                100.0 * s.op_end_rel_micros / total, _bytes(s.allocated_bytes), s.kernel))
        text = "\n".join(lines)
        print_fn(text)
        return text


def run_traced(plan, feed_dict, run_metadata):
    """``plan.run``, timing every step into ``run_metadata.step_stats``."""
    stats = []
    start_us = time.time_ns() // 1000
    origin = time.perf_counter_ns()
    steps = [(_timed(step, stats, start_us, origin),) + step[1:] for step in plan.steps]
    try:
        return plan.run(feed_dict, steps)
    finally:
        run_metadata.step_stats = StepStats([DeviceStepStats(DEVICE, stats)])


def _kernel_backend(fn):
    """Which kernels a step runs: "numba" when it goes through tinygraph.kernels with the
    numba backend loaded, else "numpy" (its numba wrappers may still fall back to numpy
    for unusual layouts)."""
    inner = getattr(fn, "func", fn)
    if getattr(getattr(inner, "__self__", None), "ops", None):  # a fused group
        return "numba"
    inner = getattr(inner, "__wrapped__", inner)  # a decorated kernel (half_in_float32)
    code = getattr(inner, "__code__", None)
    uses_kernels = code is not None and "kernels" in code.co_names
    return "numba" if uses_kernels and kernels.backend == "numba" else "numpy"


def _timed(step, stats, start_us, origin):
    fn, _, _, op = step
    kind, name = step_kind(step)
    node_name = op.name if kind == "op" else "%s/%s" % (op.name, kind)
    label = "%s = %s(%s)" % (node_name, op.type if kind == "op" else kind,
                             ", ".join(t.name for t in op.inputs) if kind == "op" else name)

    def timed(*args):
        begin = time.perf_counter_ns()
        result = fn(*args)
        end = time.perf_counter_ns()
        results = result if isinstance(result, tuple) else (result,)
        # allocated: an array of its own that is not an input (a fused step may write its
        # output over an input: plan._overwritable), nor the storage of a variable it wrote
        outputs = [NodeOutput(i, TensorDescription(
            str(v.dtype), list(v.shape), AllocationDescription(
                v.nbytes, v.nbytes if v.base is None and all(
                    v is not a and v is not getattr(a, "value", None) for a in args)
                else 0)))
            for i, v in enumerate(results) if isinstance(v, np.ndarray)]
        stats.append(NodeExecStats(
            node_name, op.type if kind == "op" else kind,
            start_us + (begin - origin) // 1000, (end - begin) / 1000.0, outputs, label,
            _kernel_backend(fn), [m.name for m in getattr(op, "ops", ()) if kind == "op"],
            thread_id=threading.get_ident()))
        return result
    return timed


def _bytes(n):
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return "%d %s" % (n, unit) if unit == "B" else "%.1f %s" % (n, unit)
        n /= 1024.0
    return "%.1f GiB" % n
