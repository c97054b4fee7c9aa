"""Read the names out of README.md's "What is supported", and the names that tests use.

Used by tests/unit/test_readme_names.py; see its docstring for the rules. Everything here is
static: the README is read as text, the tests as Python syntax trees (scripts that tests
write from string literals are parsed too), and names are looked up without calling any
module's ``__getattr__`` (``inspect.getattr_static``), so a catch-all can never answer.
"""
import ast
import importlib
import inspect
import re
import types
from dataclasses import dataclass, field
from pathlib import Path

import tinygraph

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## What is supported"

# operator spellings in the README -> the Tensor methods that implement them
OPERATORS = {
    "+": ["__add__", "__radd__"], "-": ["__sub__", "__rsub__", "__neg__"],
    "*": ["__mul__", "__rmul__"], "/": ["__truediv__", "__rtruediv__"],
    "@": ["__matmul__", "__rmatmul__"], "<": ["__lt__"], "<=": ["__le__"], ">": ["__gt__"],
    ">=": ["__ge__"], "**": ["__pow__", "__rpow__"], "%": ["__mod__", "__rmod__"],
    "//": ["__floordiv__", "__rfloordiv__"], "&": ["__and__", "__rand__"],
    "|": ["__or__", "__ror__"], "^": ["__xor__", "__rxor__"], "~": ["__invert__"],
    "abs()": ["__abs__"], "[]": ["__getitem__"],
    "==": [],  # stays identity, as in TF1: checked separately
}
# the syntax-tree nodes by which a test uses each operator
OPERATOR_NODES = {
    "+": (ast.Add,), "-": (ast.Sub, ast.USub), "*": (ast.Mult,), "/": (ast.Div,),
    "@": (ast.MatMult,), "<": (ast.Lt,), "<=": (ast.LtE,), ">": (ast.Gt,), ">=": (ast.GtE,),
    "**": (ast.Pow,), "%": (ast.Mod,), "//": (ast.FloorDiv,), "&": (ast.BitAnd,),
    "|": (ast.BitOr,), "^": (ast.BitXor,), "~": (ast.Invert,), "abs()": ("abs",),
    "[]": (ast.Subscript,), "==": (ast.Eq,),
}


@dataclass
class Entry:
    """One name of the README: ``path`` as written, what it resolved to, and its kind:
    "name" (a module attribute), "member" (of a class), "param" (of ``owner``'s signature),
    "operator"."""
    text: str
    bullet: int
    kind: str = "name"
    path: str = ""
    obj: object = None
    owner: object = None
    problem: str = ""
    params: list = field(default_factory=list)


def section_text(readme=ROOT / "README.md"):
    text = Path(readme).read_text()
    start = text.index(SECTION) + len(SECTION)
    end = text.index("\n## ", start)
    return text[start:end]


def bullets(section):
    """The section's bullets, each joined into one line."""
    items, current = [], None
    for line in section.splitlines():
        if line.startswith("- "):
            current = [line[2:]]
            items.append(current)
        elif current is not None and line.strip():
            current.append(line.strip())
    return [" ".join(item) for item in items]


def tokens(bullet):
    """``(text, depth)`` of each backticked token, depth = open parentheses around it."""
    depth, out = 0, []
    for i, part in enumerate(bullet.split("`")):
        if i % 2:
            out.append((part, depth))
        else:
            depth = max(0, depth + part.count("(") - part.count(")"))
    return out


def static_get(obj, name):
    """``obj.name`` without ``__getattr__``: a module's or class's own (or inherited) entry."""
    try:
        return inspect.getattr_static(obj, name)
    except AttributeError:
        return _MISSING


_MISSING = object()


def resolve_chain(parts, roots):
    """Follow ``parts`` from the first root that has ``parts[0]``: ``(owner, obj)`` or None."""
    for root in roots:
        owner, obj = None, root
        for part in parts:
            owner, obj = obj, static_get(obj, part)
            if obj is _MISSING:
                break
        else:
            if isinstance(obj, (staticmethod, classmethod)):
                obj = obj.__func__
            return owner, obj
    return None


def signature_params(obj):
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        return set(inspect.signature(target).parameters)
    except (TypeError, ValueError):
        return set()


def parse_token(text):
    """``("chain", parts, call_params)``, ``("operators", [ops])`` or None (prose/literals)."""
    pieces = text.split()
    if pieces and all(piece in OPERATORS for piece in pieces):
        return "operators", pieces
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Subscript):
        return "operators", ["[]"]
    params = []
    if isinstance(node, ast.Call):
        params = [a.id for a in node.args if isinstance(a, ast.Name)]
        params += [k.arg for k in node.keywords if k.arg]
        if isinstance(node.func, ast.Name) and node.func.id == "abs":
            return "operators", ["abs()"]
        node = node.func
    parts = chain(node)
    return ("chain", parts, params) if parts else None


def chain(node):
    """``a.b.c`` as ["a", "b", "c"]; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id] + parts[::-1]
    return None


def readme_entries(readme=ROOT / "README.md"):
    """Every name of the section, resolved. See tests/unit/test_readme_names.py."""
    entries = []
    for number, bullet in enumerate(bullets(section_text(readme)), 1):
        context = tinygraph
        owner = None      # the last name outside parentheses
        inner = None      # the last name resolved inside the current parentheses
        for text, depth in tokens(bullet):
            parsed = parse_token(text)
            if parsed is None:
                continue
            if parsed[0] == "operators":
                entries.extend(Entry(op, number, "operator", op) for op in parsed[1])
                continue
            _, parts, params = parsed
            if parts[0] in ("tf", "tinygraph"):
                _import_modules(["tinygraph"] + parts[1:])
                found = resolve_chain(parts[1:], [tinygraph])
            elif parts[0] == "tensorflow":
                found = _runner_module(".".join(parts))
            elif depth and owner is not None:
                found = _resolve_inside(parts, owner, inner, context)
            else:
                found = resolve_chain(parts, _roots(context))
            entry = Entry(text, number, path=".".join(parts), params=params)
            entries.append(entry)
            if found is None:
                entry.problem = "not found"
                continue
            entry.owner, entry.obj = found
            if found[0] == "param":
                entry.kind = "param"
                continue
            if not isinstance(entry.owner, types.ModuleType):
                entry.kind = "member"
            if isinstance(entry.obj, types.ModuleType):
                context = entry.obj
            elif isinstance(entry.owner, types.ModuleType) and len(parts) > 1:
                context = entry.owner
            if depth:
                if inspect.isclass(entry.obj) or isinstance(entry.obj, types.ModuleType):
                    inner = entry.obj  # the names after it may be its members
            else:
                owner, inner = entry.obj, None
    return entries


def _import_modules(parts):
    """Import ``tinygraph.datasets`` and the like, which ``import tinygraph`` leaves out."""
    for end in range(2, len(parts) + 1):
        try:
            importlib.import_module(".".join(parts[:end]))
        except ImportError:
            return


def _runner_module(path):
    """A ``tensorflow...`` module that the runner answers: ``(None, module)`` or None."""
    from tinygraph.compat import importer
    if path in importer.ALIASES:
        return None, importlib.import_module(importer.ALIASES[path])
    return None


def _roots(context):
    return [context, tinygraph] if context is not tinygraph else [tinygraph]


def _resolve_inside(parts, owner, inner, context):
    """A name in parentheses: a parameter or attribute of the name before the parentheses,
    an attribute of the name before it in the parentheses, or a name of the bullet."""
    if len(parts) == 1 and parts[0] in signature_params(owner):
        return "param", owner
    for root in ([inner] if inner is not None else []) + [owner]:
        found = resolve_chain(parts, [root])
        if found is not None:
            return found
    return resolve_chain(parts, _roots(context))


# -- what the tests use -----------------------------------------------------------------------
@dataclass
class Uses:
    objects: set = field(default_factory=set)      # id() of every object a chain reached
    pairs: set = field(default_factory=set)        # (id(owner), name) of every link
    attributes: set = field(default_factory=set)   # every ``.name`` anywhere
    operators: set = field(default_factory=set)    # operator spellings used
    files: int = 0


def test_sources(tests_dir=ROOT / "tests"):
    """Each test file's syntax tree, and those of the scripts it holds as string literals."""
    for path in sorted(Path(tests_dir).rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        yield tree
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                    re.search(r"^\s*import (tensorflow|tinygraph)", node.value, re.M)):
                try:
                    yield ast.parse(_dedent(node.value))
                except SyntaxError:
                    pass


def _dedent(text):
    import textwrap
    return textwrap.dedent(text)


def collect_uses(tests_dir=ROOT / "tests"):
    uses = Uses()
    for tree in test_sources(tests_dir):
        uses.files += 1
        aliases = _import_aliases(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                uses.attributes.add(node.attr)
            _record_operator(node, uses)
            parts = chain(node) if isinstance(node, (ast.Attribute, ast.Name)) else None
            if parts and parts[0] in aliases:
                _record_chain(aliases[parts[0]] + parts[1:], uses)
    return uses


def _import_aliases(tree):
    """Local name -> path from tinygraph (``tf`` -> [], ``relu`` -> ["nn", "relu"])."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                path = _tinygraph_path(a.name)
                if path is not None and a.asname:
                    aliases[a.asname] = path
                elif path is not None and "." not in a.name:
                    aliases[a.name] = path
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            path = _tinygraph_path(node.module)
            if path is not None:
                for a in node.names:
                    full = _tinygraph_path(_runner_alias("%s.%s" % (node.module, a.name)))
                    aliases[a.asname or a.name] = full or path + [a.name]
    return aliases


def _runner_alias(module):
    from tinygraph.compat import importer
    return importer.ALIASES.get(module, module)


def _tinygraph_path(module):
    module = _runner_alias(module)
    for prefix in ("tensorflow.compat.v1", "tensorflow", "tinygraph"):
        if module == prefix or module.startswith(prefix + "."):
            rest = module[len(prefix) + 1:]
            return rest.split(".") if rest else []
    return None


def _record_chain(parts, uses):
    _import_modules(["tinygraph"] + parts)
    obj = tinygraph
    for part in parts:
        nxt = static_get(obj, part)
        if nxt is _MISSING:
            return
        uses.pairs.add((id(obj), part))
        obj = nxt.__func__ if isinstance(nxt, (staticmethod, classmethod)) else nxt
        uses.objects.add(id(obj))


def _record_operator(node, uses):
    kinds = []
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        kinds = [type(node.op)]
    elif isinstance(node, ast.AugAssign):
        kinds = [type(node.op)]
    elif isinstance(node, ast.Compare):
        kinds = [type(op) for op in node.ops]
    elif isinstance(node, ast.Subscript):
        kinds = [ast.Subscript]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        kinds = [node.func.id]
    for spelling, nodes in OPERATOR_NODES.items():
        if any(kind in nodes for kind in kinds):
            uses.operators.add(spelling)


def is_used(entry, uses):
    """Does some test use ``entry`` (see the test's docstring for what counts)?"""
    if entry.kind == "operator":
        return entry.path in uses.operators
    if entry.kind == "member":
        return entry.path.rsplit(".", 1)[-1] in uses.attributes
    if entry.owner is None:  # a module the runner answers for ``tensorflow...``
        return id(entry.obj) in uses.objects
    if entry.kind == "param":
        return True  # its owner's use is checked; the parameter exists in its signature
    name = entry.path.rsplit(".", 1)[-1]
    if callable(entry.obj) or isinstance(entry.obj, types.ModuleType):
        return id(entry.obj) in uses.objects
    return (id(entry.owner), name) in uses.pairs
