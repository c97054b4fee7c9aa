"""NoOp and group: ops that only order other ops, through control dependencies."""
from ..graph import control_dependencies, get_default_graph
from ..registry import NotDifferentiable, define_op

__all__ = ["no_op", "group"]


def _no_op_kernel():
    return None


define_op("NoOp", lambda op: [], _no_op_kernel)
NotDifferentiable("NoOp")


def no_op(name=None):
    return get_default_graph().create_op("NoOp", [], {}, name)


def group(*inputs, name=None):
    """An op that runs after all ``inputs`` (ops or tensors) have run; it has no output."""
    graph = get_default_graph()
    for item in inputs:
        item_graph = getattr(item, "graph", graph)
        if item_graph is not graph:
            graph = item_graph
            break
    with graph.as_default(), control_dependencies(inputs):
        return no_op(name=name)
