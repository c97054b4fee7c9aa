"""Turn a traced run's ``step_stats`` into the Chrome trace-event JSON that trace viewers
open (Perfetto, speedscope, chrome://tracing in older Chrome), as TF1's ``timeline.Timeline``
did.

    trace = Timeline(run_metadata.step_stats).generate_chrome_trace_format()
    Path("timeline.json").write_text(trace)

Each step becomes one complete event ("ph": "X") on its device's row, named by its op type,
with the op's name, inputs, kernel backend, output shapes and bytes in ``args``; with
``show_dataflow`` an arrow (flow events "s"/"f") joins each op to the ops that used its
outputs.
"""
import json

__all__ = ["Timeline"]


class Timeline:
    """A timeline of one traced run (``RunMetadata.step_stats``)."""

    def __init__(self, step_stats, graph=None):
        self._step_stats = step_stats
        self._graph = graph

    def generate_chrome_trace_format(self, show_dataflow=True, show_memory=False):
        """The trace as a JSON string (``{"traceEvents": [...]}``)."""
        events = []
        producers = {}
        for pid, device in enumerate(self._step_stats.dev_stats):
            events.append({"ph": "M", "name": "process_name", "pid": pid, "tid": 0,
                           "args": {"name": "tinygraph %s" % device.device}})
            events.append({"ph": "M", "name": "process_sort_index", "pid": pid, "tid": 0,
                           "args": {"sort_index": pid}})
            for stats in device.node_stats:
                args = {"name": stats.node_name, "kernel": stats.kernel,
                        "label": stats.timeline_label}
                for out in stats.output:
                    desc = out.tensor_description
                    args["output%d" % out.slot] = "%s %s, %d bytes" % (
                        desc.dtype, tuple(desc.shape),
                        desc.allocation_description.allocated_bytes)
                if stats.fused_ops:
                    args["fused_ops"] = ", ".join(stats.fused_ops)
                events.append({"ph": "X", "cat": "Op", "name": stats.op_type, "pid": pid,
                               "tid": 0, "ts": stats.all_start_micros,
                               "dur": max(stats.op_end_rel_micros, 0.001), "args": args})
                producers[stats.node_name] = (pid, stats)
            if show_memory:
                total = 0
                for stats in device.node_stats:
                    total += stats.allocated_bytes
                    events.append({"ph": "C", "name": "allocated bytes", "pid": pid, "tid": 0,
                                   "ts": stats.all_start_micros, "args": {"bytes": total}})
        if show_dataflow:
            events.extend(_flows(self._step_stats, producers))
        return json.dumps({"traceEvents": events}, separators=(",", ":"))


def _flows(step_stats, producers):
    """Arrows from each op to its consumers, read from the ``timeline_label``s."""
    flows, flow_id = [], 0
    for pid, device in enumerate(step_stats.dev_stats):
        for stats in device.node_stats:
            inputs = stats.timeline_label.partition("(")[2].rstrip(")")
            for name in filter(None, (s.strip() for s in inputs.split(","))):
                source = producers.get(name.rpartition(":")[0])
                if source is None:
                    continue
                src_pid, src = source
                flow_id += 1
                flows.append({"ph": "s", "cat": "DataFlow", "name": name, "id": flow_id,
                              "pid": src_pid, "tid": 0, "ts": src.all_start_micros})
                flows.append({"ph": "f", "bp": "e", "cat": "DataFlow", "name": name,
                              "id": flow_id, "pid": pid, "tid": 0,
                              "ts": stats.all_start_micros})
    return flows
