"""Pictures of a graph: ``to_dot`` writes Graphviz DOT text; ``render`` and ``show`` draw it.

``to_dot`` needs nothing but tinygraph. ``render`` (to .svg/.png/.pdf) and the SVG of
``show`` need the ``graphviz`` Python package and Graphviz's ``dot`` program:
``pip install "tinygraph[viz]"`` plus the system package ``graphviz``.

How the picture reads:
- name scopes are boxes (nested clusters), labelled with the scope's last part; an op whose
  name is also a scope (``GradientDescent``, a group) is drawn inside that box;
- placeholders are yellow house shapes (fed at run time), variables green cylinders,
  constants grey boxes, ops blue ellipses, ops that write a variable red ellipses;
- a Variable is one node (``variables="fold"``): its ``read``, ``Assign`` (the
  initializer) and ``initial_value`` ops are drawn inside it. An edge into it is its initial
  value; an edge out of it labelled ``float32_ref`` (drawn brown) goes to an op that writes it;
  ``variables="show"`` draws TF1's four ops instead;
- an edge is one tensor going into one op, labelled with its dtype and static shape as TF1
  prints them (``float32 (?, 3072)``); dashed edges are control dependencies ("run after");
- everything ``gradients()`` built (the scopes ``gradients/``, ``gradients_1/``...) is one
  purple box (``gradients="fold"``), keeping the edges into and out of it, once per tensor;
  ``gradients="show"`` draws those ops in grey scope boxes.
"""
import re

from .dot_picture import DotPicture, GraphvizNotFoundError
from .graph import Graph, Operation, Tensor, get_default_graph
from .registry import get_op_def

__all__ = ["to_dot", "render", "show", "DotPicture", "GraphvizNotFoundError"]

_GRADIENT_SCOPE = re.compile(r"gradients(_[0-9]+)?")

# One look per kind of node; ``class`` also becomes the SVG element's CSS class.
_NODE_STYLE = {
    "placeholder": {"shape": "invhouse", "fillcolor": "#ffe599"},
    "variable": {"shape": "cylinder", "fillcolor": "#b6d7a8"},
    "constant": {"shape": "box", "fillcolor": "#eeeeee"},
    "op": {"shape": "ellipse", "fillcolor": "#cfe2f3"},
    "write": {"shape": "ellipse", "fillcolor": "#f4cccc"},
    "gradients": {"shape": "box3d", "fillcolor": "#d9d2e9"},
}
_WRITE_EDGE = "#b45f06"
_KIND_OF_TYPE = {"Placeholder": "placeholder", "VariableV2": "variable", "Const": "constant"}

_HEADER = """\
digraph tinygraph {
  graph [rankdir=TB, fontname="Helvetica", fontsize=11, nodesep=0.3, ranksep=0.35];
  node [fontname="Helvetica", fontsize=11, style=filled, color="#666666", margin="0.08,0.03"];
  edge [fontname="Helvetica", fontsize=9, fontcolor="#444444", color="#666666", \
arrowsize=0.7];
"""


def to_dot(graph_or_fetches=None, gradients="fold", variables="fold"):
    """Graphviz DOT text of a graph, or of the part of it that some fetches need.

    Args:
        graph_or_fetches: a Graph; or a Tensor, Operation or Variable, or a list of them (the
            ops they depend on through inputs and control inputs are drawn); None draws the
            default graph.
        gradients: "fold" draws each ``gradients/`` subgraph as one box; "show" draws its ops.
        variables: "fold" draws each Variable as one node; "show" draws its four ops.

    Returns:
        A ``str`` in the DOT language (see the module docstring for how it reads).

    Raises:
        TypeError: a fetch that is not a Tensor, Operation, Variable or op/tensor name.
        ValueError: fetches from different graphs, no fetches, or a bad ``gradients`` or
            ``variables`` value.
    """
    if gradients not in ("fold", "show"):
        raise ValueError('gradients must be "fold" or "show", got %r' % (gradients,))
    if variables not in ("fold", "show"):
        raise ValueError('variables must be "fold" or "show", got %r' % (variables,))
    graph, roots = _resolve(graph_or_fetches)
    ops = graph.get_operations()
    if roots is not None:
        needed = _needed(roots)
        ops = [op for op in ops if op in needed]
    return _Drawing(ops, gradients == "fold", variables == "fold").dot()


# -- what to draw ---------------------------------------------------------------------------
def _flatten(fetches):
    if isinstance(fetches, (list, tuple)):
        for item in fetches:
            yield from _flatten(item)
    else:
        yield fetches


def _resolve(graph_or_fetches):
    """(graph, the ops asked for) or (graph, None) for a whole graph."""
    if graph_or_fetches is None:
        return get_default_graph(), None
    if isinstance(graph_or_fetches, Graph):
        return graph_or_fetches, None
    items = list(_flatten(graph_or_fetches))
    if not items:
        raise ValueError("to_dot: no fetches given; pass a Graph, or tensors, ops or variables.")
    graphs = []
    for item in items:
        graph = getattr(item, "graph", None)
        if not isinstance(item, str) and not isinstance(graph, Graph):
            raise TypeError("to_dot takes a Graph, or a Tensor, Operation, Variable or "
                            "name (or a list of them), got %r" % (item,))
        if graph is not None and all(graph is not g for g in graphs):
            graphs.append(graph)
    if len(graphs) > 1:
        raise ValueError("to_dot: the fetches come from %d different graphs." % len(graphs))
    graph = graphs[0] if graphs else get_default_graph()
    roots = []
    for item in items:
        element = graph.as_graph_element(item)
        roots.append(element.op if isinstance(element, Tensor) else element)
    return graph, roots


def _needed(roots):
    """The ops that ``roots`` depend on (themselves included), via inputs and control inputs."""
    needed, stack = set(), list(roots)
    while stack:
        op = stack.pop()
        if op not in needed:
            needed.add(op)
            stack.extend(t.op for t in op.inputs)
            stack.extend(op.control_inputs)
    return needed


def _variable_parts(op, by_name):
    """The ops that a folded Variable node stands for: VariableV2, read, Assign, initial_value."""
    ref = op.outputs[0]
    parts = [op]
    read = by_name.get(op.name + "/read")
    if read is not None and read.type == "Identity" and read.inputs[0] is ref:
        parts.append(read)
    assign = by_name.get(op.name + "/Assign")
    if assign is not None and assign.type == "Assign" and assign.inputs[0] is ref:
        parts.append(assign)
        initial = by_name.get(op.name + "/initial_value")
        if initial is not None and initial.type == "Const" and \
                assign.inputs[1] is initial.outputs[0] and \
                all(c is assign for c in initial.outputs[0].consumers()):
            parts.append(initial)
    return parts


def _all_scopes(names):
    """Every scope that some name lies in: "a/b/c" lies in "a" and "a/b"."""
    scopes = set()
    for name in names:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            scopes.add("/".join(parts[:i]))
    return scopes


def _gradient_group(scope):
    """The leading part of ``scope`` up to its first ``gradients``/``gradients_N`` part."""
    parts = scope.split("/")
    for i, part in enumerate(parts):
        if _GRADIENT_SCOPE.fullmatch(part):
            return "/".join(parts[:i + 1])
    return None


# -- drawing --------------------------------------------------------------------------------
class _Node:
    __slots__ = ("id", "scope", "kind", "label", "tooltip")

    def __init__(self, node_id, scope, kind, label, tooltip):
        self.id, self.scope, self.kind = node_id, scope, kind
        self.label, self.tooltip = label, tooltip


class _Drawing:
    """Maps every op to the node that draws it, then writes nodes, clusters and edges."""

    def __init__(self, ops, fold_gradients, fold_variables):
        self.ops = ops
        by_name = {op.name: op for op in ops}
        self.node_of = {}  # op -> node id
        self.nodes = {}  # node id -> _Node, in creation order of their first op
        parts_of = {}
        if fold_variables:
            for op in ops:
                if op.type == "VariableV2":
                    parts_of[op] = _variable_parts(op, by_name)
                    for part in parts_of[op]:
                        self.node_of[part] = op.name
        own = [op for op in ops if op not in self.node_of or op in parts_of]
        # An op whose name is also a scope of other drawn ops is drawn inside that scope.
        scopes = _all_scopes(op.name for op in own)
        folded = {}
        for op in own:
            scope = op.name if op.name in scopes else op.name.rpartition("/")[0]
            group = _gradient_group(scope) if fold_gradients else None
            if group is not None:
                folded.setdefault(group, []).append(op)
                node_id = group + "/"  # op names never end in "/": no clash
                for part in parts_of.get(op, [op]):
                    self.node_of[part] = node_id
                if node_id not in self.nodes:
                    self.nodes[node_id] = None  # filled in below, once the count is known
            elif op in parts_of:
                self.nodes[op.name] = self._variable_node(op, scope, parts_of[op])
            else:
                self.node_of[op] = op.name
                self.nodes[op.name] = self._op_node(op, scope)
        for group, members in folded.items():
            self.nodes[group + "/"] = _Node(
                group + "/", group.rpartition("/")[0], "gradients",
                [group.rpartition("/")[2], "%d ops" % len(members)],
                '%s/: %d ops built by gradients(), folded; to_dot(..., gradients="show") draws '
                'them' % (group, len(members)))

    @staticmethod
    def _op_node(op, scope):
        kind = _KIND_OF_TYPE.get(op.type)
        if kind is None:
            kind = "write" if get_op_def(op.type).mutates else "op"
        return _Node(op.name, scope, kind, _name_and_type(op.name, op.type),
                     "%s (%s)" % (op.name, op.type))

    @staticmethod
    def _variable_node(op, scope, parts):
        names = ", ".join(p.name.rpartition("/")[2] for p in parts[1:])
        tooltip = "Variable '%s' %s %s" % (op.name, op.outputs[0].dtype.base_dtype.name,
                                           op.outputs[0].shape)
        if names:
            tooltip += " (drawn with its ops %s)" % names
        return _Node(op.name, scope, "variable", _name_and_type(op.name, "Variable"), tooltip)

    def edges(self):
        """(source node, target node, tensor or None for control) once per tensor and target."""
        seen, edges = set(), []
        for op in self.ops:
            target = self.node_of[op]
            for t in op.inputs:
                source = self.node_of[t.op]
                if source != target and (t, target) not in seen:
                    seen.add((t, target))
                    edges.append((source, target, t))
            for c in op.control_inputs:
                source = self.node_of[c]
                if source != target and (source, target) not in seen:
                    seen.add((source, target))
                    edges.append((source, target, None))
        return edges

    def dot(self):
        lines = [_HEADER]
        children = {"": []}  # scope -> its sub-scopes and nodes, in first-seen order
        for node in self.nodes.values():
            children.setdefault(node.scope, []).append(node)
            scope = node.scope  # list each new scope under its parent, up to the root
            while scope and scope not in children.setdefault(scope.rpartition("/")[0], []):
                children[scope.rpartition("/")[0]].append(scope)
                scope = scope.rpartition("/")[0]
        self._write_scope("", children, lines, "  ")
        for source, target, tensor in self.edges():
            if tensor is None:
                attrs = {"style": "dashed", "tooltip": "control dependency: %s runs after %s"
                         % (target, source)}
            else:
                label = "%s %s" % (tensor.dtype.name, tensor.shape)
                if len(tensor.op.outputs) > 1 and source == tensor.op.name:
                    label = ":%d %s" % (tensor.value_index, label)
                attrs = {"label": label, "tooltip": tensor.name}
                if tensor.dtype.is_ref:  # the variable itself, into an op that writes it
                    attrs.update(color=_WRITE_EDGE, fontcolor=_WRITE_EDGE)
            lines.append("  %s -> %s%s;\n" % (_quote(source), _quote(target), _attrs(attrs)))
        lines.append("}\n")
        return "".join(lines)

    def _write_scope(self, scope, children, lines, indent):
        for child in children[scope]:
            if isinstance(child, _Node):
                attrs = {"label": child.label, "class": child.kind}
                attrs.update(_NODE_STYLE[child.kind])
                attrs["tooltip"] = child.tooltip
                lines.append("%s%s%s;\n" % (indent, _quote(child.id), _attrs(attrs)))
                continue
            grey = _gradient_group(child) is not None
            lines.append("%ssubgraph %s {\n" % (indent, _quote("cluster_" + child)))
            cluster = {"label": child.rpartition("/")[2], "tooltip": child + "/",
                       "style": "rounded,filled", "color": "#999999",
                       "fillcolor": "#e6e6e6" if grey else "#f7f7f7", "labeljust": "l"}
            for key, value in cluster.items():
                lines.append("%s  %s=%s;\n" % (indent, key, _quote(value)))
            self._write_scope(child, children, lines, indent + "  ")
            lines.append("%s}\n" % indent)


def _name_and_type(name, op_type):
    """The label lines: the name within its scope, then the type unless the name says it."""
    short = name.rpartition("/")[2]
    if short.lower().startswith(op_type.lower()):
        return [short]
    return [short, op_type]


def _escape(text):
    """Text for inside a DOT double-quoted string (labels read ``\\\\`` as one backslash)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _quote(value):
    """A DOT ID: always double-quoted, so ``/ : - .`` and keywords like ``node`` are safe.

    A list is a multi-line label (its lines joined by DOT's ``\\n``).
    """
    if isinstance(value, list):
        return '"' + "\\n".join(_escape(line) for line in value) + '"'
    return '"' + _escape(str(value)) + '"'


def _attrs(attrs):
    return " [" + ", ".join("%s=%s" % (key, _quote(value)) for key, value in attrs.items()) + "]"


# -- pictures (the drawing itself is dot_picture.py) ----------------------------------------
def render(graph_or_fetches, path, gradients="fold", variables="fold"):
    """Draw the graph (see ``to_dot``) into ``path``; its suffix picks the format.

    ``.svg``, ``.png`` and ``.pdf`` are drawn by Graphviz's ``dot``; ``.dot`` and ``.gv``
    write the DOT text (no Graphviz needed).

    Returns:
        ``path`` as a ``pathlib.Path``.

    Raises:
        ValueError: an unsupported suffix.
        GraphvizNotFoundError: the ``graphviz`` package or the ``dot`` program is missing.
    """
    return show(graph_or_fetches, gradients=gradients, variables=variables).save(path)


def show(graph_or_fetches=None, gradients="fold", variables="fold"):
    """The graph (see ``to_dot``) as an object a notebook displays as a picture.

    Where Graphviz is missing it displays as DOT text with one line on what to install.
    """
    return DotPicture(to_dot(graph_or_fetches, gradients=gradients, variables=variables))
