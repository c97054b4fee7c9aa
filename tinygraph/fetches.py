"""Fetches and feed keys as ``Session.run`` takes them: the structure of the fetches (a
tensor, an op, a name, or nested lists, tuples, dicts and namedtuples of them), its key in a
session's plan cache, and the graph elements that the leaves and feed keys name."""
import collections.abc

from .graph import Operation, Tensor

__all__ = ["structure_key", "flatten", "fetch_target", "feed_target"]


def structure_key(fetches):
    """A hashable key for the shape of ``fetches`` and the leaves in it."""
    if fetches.__class__ is Operation or fetches.__class__ is Tensor:
        return fetches  # the common case, without the Mapping check (an ABC: slower)
    if isinstance(fetches, (list, tuple)):
        return (fetches.__class__,) + tuple([structure_key(f) for f in fetches])
    if isinstance(fetches, collections.abc.Mapping):
        return (fetches.__class__,) + tuple([(k, structure_key(v)) for k, v in fetches.items()])
    return fetches


def flatten(fetches, leaves):
    """Append the leaves of ``fetches`` to ``leaves``; return ``rebuild(values) -> structure``."""
    if isinstance(fetches, (list, tuple)):
        parts = [flatten(f, leaves) for f in fetches]
        cls = type(fetches)
        if hasattr(fetches, "_fields"):  # namedtuple
            return lambda values: cls(*[part(values) for part in parts])
        return lambda values: cls([part(values) for part in parts])
    if isinstance(fetches, collections.abc.Mapping):
        keys = list(fetches)
        parts = [flatten(fetches[k], leaves) for k in keys]
        cls = type(fetches)
        return lambda values: cls(zip(keys, [part(values) for part in parts]))
    index = len(leaves)
    leaves.append(fetches)
    return lambda values: values[index]


def fetch_target(graph, fetch):
    if fetch is None or not isinstance(fetch, (str, Tensor, Operation)) and \
            not hasattr(fetch, "_as_graph_element"):
        hint = (" (a gradient or a function's result may be None here: check that the "
                "tensor depends on the variable)" if fetch is None else
                ", must be a string or Tensor. (Can not convert a %s into a Tensor or "
                "Operation.)" % type(fetch).__name__)
        raise TypeError("Fetch argument %r has invalid type %s%s" % (fetch, type(fetch), hint))
    try:
        return graph.as_graph_element(fetch)
    except ValueError as e:
        raise ValueError("Fetch argument %r cannot be interpreted as a Tensor. (%s)"
                         % (fetch, e)) from None


def feed_target(graph, key):
    try:
        if isinstance(key, Operation):
            raise TypeError("Can not convert a Operation into a Tensor.")
        return graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
    except (TypeError, ValueError, KeyError) as e:
        message = e.args[0] if e.args else str(e)
        raise TypeError("Cannot interpret feed_dict key as Tensor: " + message) from None
