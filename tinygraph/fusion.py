"""The fusion pass: chains of elementwise ops become one generated numba kernel.

A plan runs one kernel per op, and each writes its result to a fresh array that the next
op reads back. For the small elementwise ops around the matrix products (a bias add and
its relu, a relu's gradient, the L2 term of a gradient, an update) that costs more than the
arithmetic. The pass (plan.py's step 4b, after the schedule) groups such ops and compiles
each group into one loop that computes every element of the chain in registers.

An op takes part by saying what it computes for one element (``OpDef.fusion``, next to
its kernel in ``ops/``): ``Fusion("elementwise", "{0} + {1}")`` for Add. Two kinds end a
chain: ``sum_to`` (SumToShape: a bias gradient, summed in the same loop) and ``update``
(a write, such as ApplyGradientDescent's ``{0} - {1} * {2}``). The pass never repeats
an op's definition: it only pastes the expressions together.

What it does to the two-layer net of the follow-up post (``Session.describe_plan``)::

    before                                    after
    $12 = Add add($11, $6)
    $13 = Relu Relu($12)                      $13 = Fused Relu[Add, Relu]($11, $6)
    $29 = ReluGrad Relu_grad($27, $13)
    $30 = SumToShape add_grad($29, $6)        $29, $30 = Fused add_grad[ReluGrad, SumToShape]
    $22 = Mul L2Loss_grad/mul($4, $20)
    $33 = AddN AddN_1($22, $31)
    $35 = ApplyGradientDescent update_W1      $35 = Fused update_W1[Mul, AddN,
          ($3, $34, $33)                            ApplyGradientDescent]($3, $34, $4, $20, $31)

Rules that keep a fused plan equal to the unfused one:

- Only float32/float64 ops of one dtype fuse, and nothing at all with the reference
  kernels or ``TINYGRAPH_FUSION=0`` (read when a plan is compiled).
- A group runs where its last op ran. An op joins a group only when every other reader
  of the group's values comes after it, and no write lies in between: the order rule
  (plan.py) is kept. A group of reads never holds a write; a write's group holds only
  that write and the ops whose values nothing else reads, and these read no variable but
  the one being written, element by element, before the element is written.
- Values read outside the group, or fetched, are still written to arrays.
- Shapes are known only at run time: each new combination of input shapes decides the
  loop nest (which dims broadcast) and picks or generates its kernel. When a combination
  does not fit (shapes that do not broadcast, a sum that is no reduction), the group runs
  its ops one by one with their own kernels, which raise the errors TF1 raises. So do the
  pre-write checks, before any write lands.
- Generated kernels are cached on disk under the hash of their source text. The source
  holds every expression, the broadcast pattern, the dtype and tinygraph's version, so a
  change to any of them is a new file: a stale fused kernel cannot be loaded.
"""
import hashlib
import importlib.util
import os
import sys
import threading

import numpy as np

from . import errors, kernels
from .graph import Tensor
from .registry import OpDef, bind_kernel

__all__ = ["enabled", "fuse", "FusedGroup"]

_DTYPES = ("float32", "float64")
_CODEGEN = 1  # the form of the generated code; part of every kernel's source
_UNFUSED = "unfused"  # a shape combination that runs the ops one by one


def enabled():
    """Fusion is on unless ``TINYGRAPH_FUSION=0`` or the reference kernels are in use."""
    if os.environ.get("TINYGRAPH_FUSION", "1") == "0":
        return False
    return kernels.selected() == "numba"


# -- grouping ---------------------------------------------------------------------------------
def fuse(order, fed, targets):
    """``order`` (plan.py's schedule) with fusable chains replaced by ``FusedGroup``s."""
    fetched = {t for t in targets if isinstance(t, Tensor)}
    position = {op: i for i, op in enumerate(order)}
    users = {}
    for op in order:
        for t in op.inputs:
            users.setdefault(t, []).append(op)
    control_users = {c for op in order for c in op.control_inputs}
    writes = [i for i, op in enumerate(order) if op._op_def.mutates]
    writers = {}
    for op in order:
        for k in op._op_def.writes:
            writers.setdefault(op.inputs[k].op, []).append(op)

    def kind(op):
        fusion = op._op_def.fusion
        if fusion is None or any(t in fed for t in op.outputs) or not _one_dtype(op):
            return None
        if fusion.kind != "update" and (op in control_users or op.control_inputs):
            return None
        return fusion.kind

    def only_read_by(op, members):
        return all(t not in fetched and all(u in members for u in users.get(t, ()))
                   for t in op.outputs)

    group_of = {}
    for write in order:  # a write with the ops that only it reads
        if kind(write) != "update" or len(writers[write.inputs[0].op]) != 1:
            continue
        variable = write.inputs[0].op
        members, todo = {write}, [write.inputs[2].op]
        while todo:
            todo.sort(key=position.get)
            op = todo.pop()  # the latest first: its readers are decided before it
            if op in members or op in group_of or op not in position:
                continue
            k = kind(op)
            if k not in ("elementwise", "sum_to") or not only_read_by(op, members):
                continue
            if k == "sum_to" and users[op.outputs[0]] != [write]:
                continue  # a sum is known only after the loop: the update alone reads it
            values = _value_inputs(op)
            if not all(t in fed or not _variables(t) or _reads(t, variable) for t in values):
                continue
            members.add(op)
            todo.extend(t.op for t in values if t not in fed)
        if len(members) > 1:
            group = sorted(members, key=position.get)
            for op in group:
                group_of[op] = group

    for op in order:  # reads: an op joins the group of one of its inputs' producers
        if op in group_of or kind(op) not in ("elementwise", "sum_to"):
            continue
        for t in _value_inputs(op):
            producer = t.op
            if t in fed or producer not in position or kind(producer) != "elementwise":
                continue
            group = group_of.get(producer) or [producer]
            if any(m._op_def.mutates for m in group) or not _may_join(
                    group, op, position, users, writes):
                continue
            group.append(op)
            for member in group:
                group_of[member] = group
            break

    fused, done = [], set()
    for op in order:
        group = group_of.get(op)
        if group is None:
            fused.append(op)
        elif op is group[-1] and id(group) not in done:
            done.add(id(group))
            fused.append(FusedGroup(group, fetched, users))
    return fused


def _may_join(group, op, position, users, writes):
    """Whether ``op`` may join ``group`` and the group run at ``op``'s place."""
    first, here = position[group[0]], position[op]
    if any(first < w < here for w in writes):
        return False  # the group would move across a write
    members = set(group) | {op}
    for member in group:
        if member._op_def.fusion.kind == "sum_to" and member.outputs[0] in op.inputs:
            return False
        for t in member.outputs:
            if any(u not in members and position[u] < here for u in users.get(t, ())):
                return False  # read before the group would run
    return True


def _one_dtype(op):
    """All the values the op computes with have one float dtype we compile for."""
    dtypes = {t.dtype.base_dtype.name for t in _value_inputs(op) + list(op.outputs)}
    if op._op_def.fusion.kind == "update":
        dtypes = {t.dtype.base_dtype.name for t in op.inputs}
    return len(dtypes) == 1 and dtypes <= set(_DTYPES)


def _value_inputs(op):
    """The inputs whose values (not only shapes) the op reads; a write's variable aside."""
    kind = op._op_def.fusion.kind
    if kind == "sum_to":
        return [op.inputs[0]]
    if kind == "update":
        return list(op.inputs[1:])
    return list(op.inputs)


def _variables(t):
    """The variables whose storage ``t``'s value may share (following ``aliases``)."""
    op = t.op
    if op.type == "VariableV2":
        return {op}
    aliases = op._op_def.aliases
    if not aliases:
        return set()
    which = range(len(op.inputs)) if aliases is True else aliases
    return set().union(*[_variables(op.inputs[k]) for k in which])


def _reads(t, variable):
    """``t`` is a plain read of ``variable`` (its ``read`` Identity)."""
    return t.op.type == "Identity" and t.op.inputs[0].op is variable


# -- a group ----------------------------------------------------------------------------------
class FusedGroup:
    """Several ops that run as one step; looks like an Operation to plan.py.

    ``ops`` are the members in schedule order (a write last); ``inputs`` the values they
    read from outside; ``outputs`` the values read after the group or fetched.
    """

    type = "Fused"
    control_inputs = ()
    attrs = {}

    def __init__(self, ops, fetched, users):
        self.ops = list(ops)
        members = set(ops)
        made = {t for op in ops for t in op.outputs}
        self.inputs = []
        for op in ops:
            for t in op.inputs:
                if t not in made and t not in self.inputs:
                    self.inputs.append(t)
        self.outputs = [t for op in ops for t in op.outputs
                        if t in fetched or any(u not in members for u in users.get(t, ()))
                        or op._op_def.mutates]
        self.name = ops[-1].name
        self._id = ops[-1]._id
        self.graph = ops[-1].graph
        write = ops[-1] if ops[-1]._op_def.mutates else None
        self.write = write
        self._ref = self.inputs.index(write.inputs[0]) if write else None
        variable = write.inputs[0].op if write else None
        # reads of the written variable, each element read before it is written: no copy
        self.in_place_reads = tuple(k for k, t in enumerate(self.inputs)
                                    if write and _reads(t, variable))
        self._op_def = OpDef("Fused", None, kernel=self.run, mutates=write is not None,
                             check=self.check if write else None, aliases=write is not None,
                             writes=(self._ref,))
        self._fns = [bind_kernel(op, None) for op in ops]
        self._kernels = {}  # (shapes, layouts) -> a kernel call, or _UNFUSED
        self.dtype = ops[-1].outputs[0].dtype.base_dtype.np_dtype if not write else \
            write.inputs[2].dtype.base_dtype.np_dtype

    def __repr__(self):
        return "<FusedGroup %s [%s]>" % (self.name, ", ".join(op.type for op in self.ops))

    # -- running ------------------------------------------------------------------------------
    def run(self, *values):
        if self._ref is None:
            arrays = values
        else:
            arrays = list(values)
            arrays[self._ref] = variable = values[self._ref].value
            if not variable.flags.c_contiguous:  # written in place: never through a copy
                return self._run_unfused(values)
        call = self._kernels.get(tuple([a.shape for a in arrays]))
        if call is None:
            call = self._compile(arrays)
        if call is _UNFUSED:
            return self._run_unfused(values)
        return call(arrays)

    def _compile(self, arrays):
        key = tuple([a.shape for a in arrays])
        call = self._kernels[key] = _Compiled.build(self, arrays) or _UNFUSED
        return call

    def check(self, *values):
        """The write's check, before any write of the run lands (plan.py)."""
        try:
            values[self._ref].read()  # an uninitialized variable
            arrays = list(values)
            arrays[self._ref] = values[self._ref].value
            call = self._kernels.get(tuple([a.shape for a in arrays])) or \
                self._compile(arrays)
        except errors.OpError as e:
            e.op = e.op or self.write
            raise
        if call is _UNFUSED:  # compute what the write reads, then check it as unfused
            env = self._run_ops(values, self.ops[:-1])
            write = self.write
            check = write._op_def.check
            try:
                check(*[env[t] for t in write.inputs], **write.attrs)
            except errors.OpError as e:
                e.op = e.op or write
                raise

    def _run_unfused(self, values):
        env = self._run_ops(values, self.ops)
        results = [env[t] for t in self.outputs]
        return results[0] if len(results) == 1 else tuple(results)

    def _run_ops(self, values, ops):
        env = dict(zip(self.inputs, values))
        for op, fn in zip(ops, self._fns):
            try:
                env[op.outputs[0]] = fn(*[env[t] for t in op.inputs])
            except errors.OpError as e:
                e.op = e.op or op
                raise
        return env


# -- code generation --------------------------------------------------------------------------
class _Compiled:
    """The generated kernel for one combination of input shapes, and how to call it."""

    @staticmethod
    def build(group, arrays):
        """A callable ``call(arrays) -> outputs``, or None when the shapes do not fit."""
        shapes = {t: a.shape for t, a in zip(group.inputs, arrays)}
        loop = []
        for op in group.ops:
            fusion = op._op_def.fusion
            ins = [shapes[t] for t in op.inputs]
            if fusion.kind == "elementwise":
                if fusion.broadcast:
                    try:
                        out = np.broadcast_shapes(*ins)
                    except ValueError:
                        return None
                elif any(s != ins[0] for s in ins):
                    return None
                else:
                    out = ins[0]
                loop.append(out)
            elif fusion.kind == "sum_to":
                out = ins[1]
                if not _sums_to(ins[0], out):
                    return None
                loop.append(ins[0])
            else:  # update
                out = ins[0]
                if ins[2] != out or ins[1] != ():
                    return None
                if not _summed_in(group, op.inputs[2]):
                    loop.append(out)
            shapes[op.outputs[0]] = out
        try:
            space = np.broadcast_shapes(*loop)
        except ValueError:
            return None
        if 0 in space:  # an empty loop stores nothing, not even a value that is not empty
            return None  # (a scalar's negation next to a batch of 0 rows): run unfused
        values = {t for op in group.ops for t in _value_inputs(op)}
        for op in group.ops:
            kind = op._op_def.fusion.kind
            if kind == "sum_to" and shapes[op.inputs[0]] != space:
                return None  # the sum must see each element once
        if group.write is not None and not _summed_in(group, group.write.inputs[2]):
            for k in group.in_place_reads:  # read and written in the same loop
                if group.inputs[k] in values and arrays[k].shape != space:
                    return None
        return _Compiled(group, arrays, shapes, space)

    def __init__(self, group, arrays, shapes, space):
        self.group, self.dtype = group, group.dtype
        values = set()
        for op in group.ops:
            values.update(_value_inputs(op))
        passed = [k for k, t in enumerate(group.inputs) if k == group._ref or t in values]
        # One flat loop when every array is the whole space (nothing broadcasts) or one
        # element; the arrays are then passed flattened (a non-contiguous one as a copy).
        size = int(np.prod(space))
        flat = all(int(np.prod(shape)) in (1, size)
                   for shape in [arrays[k].shape for k in passed] + list(shapes.values()))
        if flat:
            space = (size,)
        rank = max(len(space), 1)
        space = (1,) * (rank - len(space)) + tuple(space)

        def fit(shape):
            """(the shape to pass, the index of one element in the loop nest)."""
            if flat:
                full = int(np.prod(shape)) == size and size != 1
                passed_shape = (size,) if full else (1,) * max(len(shape), 1)
                return passed_shape, "i0" if full else ", ".join("0" * len(passed_shape))
            passed_shape = shape if shape else (1,)
            lead = rank - len(passed_shape)
            return passed_shape, ", ".join(
                "i%d" % (lead + j) if d == space[lead + j] and d != 1 else "0"
                for j, d in enumerate(passed_shape))

        names = {}  # tensor -> (its local name in the loop body, or the array's name)
        params, scalars, loads, body, stores, post = [], [], [], [], [], []
        self.args = []  # (input index, the shape to reshape it to, or None)
        for k in passed:
            t, shape = group.inputs[k], arrays[k].shape
            to, index = fit(shape)
            self.args.append((k, None if to == shape else to))
            params.append("x%d" % k)
            if k == group._ref:
                names[t] = ("x%d" % k, index)
                continue
            load = "v%d = x%d[%s]" % (k, k, index)
            (loads if "i" in index else scalars).append(load)  # a scalar: read once
            names[t] = ("v%d" % k, None)
        made, outputs = [], []  # arrays the kernel fills; (tensor, index into made)
        dtype = np.dtype(self.dtype).name
        for m, op in enumerate(group.ops):
            fusion = op._op_def.fusion
            out = op.outputs[0]
            if fusion.kind == "elementwise":
                body.append("t%d = %s" % (m, fusion.source([names[t][0] for t in op.inputs],
                                                           dtype)))
                names[out] = ("t%d" % m, None)
                if out in group.outputs:
                    to, index = fit(shapes[out])
                    params.append("y%d" % m)
                    outputs.append((out, len(made)))
                    made.append((np.empty, shapes[out], to))
                    stores.append("y%d[%s] = t%d" % (m, index, m))
            elif fusion.kind == "sum_to":
                to, index = fit(shapes[out])
                params.append("s%d" % m)
                outputs.append((out, len(made)))
                made.append((np.zeros, shapes[out], to))
                stores.append("s%d[%s] += %s" % (m, index, names[op.inputs[0]][0]))
                names[out] = ("s%d" % m, index)
            else:  # the update of the written variable
                var, var_index = names[op.inputs[0]]
                lr, (delta, delta_index) = names[op.inputs[1]][0], names[op.inputs[2]]
                outputs.append((out, None))
                if delta_index is None:  # computed in the loop
                    stores += ["w = %s[%s]" % (var, var_index),
                               "%s[%s] = %s" % (var, var_index,
                                                fusion.source(["w", lr, delta], dtype))]
                else:  # a sum: after the loop, over the variable's elements
                    post += ["%s_flat = %s.reshape(-1)" % (delta, delta),
                             "%s_flat = %s.reshape(-1)" % (var, var),
                             "for j in range(%s_flat.size):" % var,
                             "    w = %s_flat[j]" % var,
                             "    %s_flat[j] = %s" % (var, fusion.source(
                                 ["w", lr, "%s_flat[j]" % delta], dtype))]
        self.space = space
        self.made = [(new, shape) for new, shape, _ in made]
        self.padded = [None if to == shape else to for _, shape, to in made]
        pick = [i for t, i in outputs if t in group.outputs]
        self.pick = pick[0] if len(pick) == 1 else tuple(pick)
        lines = ["# tinygraph %s fused kernel, codegen %d, %s: %s" % (
                     _version(), _CODEGEN, dtype, ", ".join(op.type for op in group.ops)),
                 "import numpy as np",
                 "from tinygraph.kernels._jit import jit",
                 "", "",
                 "@jit",
                 "def fused(%s):" % ", ".join(["n%d" % d for d in range(rank)] + params)]
        indent = "    "
        lines += [indent + line for line in scalars]
        for d in range(rank):
            lines.append(indent * (d + 1) + "for i%d in range(n%d):" % (d, d))
        lines += [indent * (rank + 1) + line for line in loads + body + stores]
        lines += [indent + line for line in post]
        self.source = "\n".join(lines) + "\n"
        self.kernel = _load(self.source)

    def __call__(self, arrays):
        args = [arrays[k] if shape is None else arrays[k].reshape(shape)
                for k, shape in self.args]
        made = [new(shape, self.dtype) for new, shape in self.made]
        self.kernel(*self.space, *args,
                    *[m if p is None else m.reshape(p) for m, p in zip(made, self.padded)])
        if self.pick is None:
            return arrays[self.group._ref]  # a write's output: the variable
        if self.pick.__class__ is int:
            return made[self.pick]
        return tuple([arrays[self.group._ref] if i is None else made[i] for i in self.pick])


def _summed_in(group, t):
    """``t`` is a sum that ``group`` computes (known only after its loop)."""
    return t.op in group.ops and t.op._op_def.fusion.kind == "sum_to"


def _sums_to(shape, target):
    """``target`` is what SumToShape makes of ``shape`` (dims kept, or summed to 1)."""
    if len(target) > len(shape):
        return False
    lead = len(shape) - len(target)
    return all(t == s or t == 1 for t, s in zip(target, shape[lead:]))


# -- the on-disk cache of generated kernels ---------------------------------------------------
_LOADED = {}  # source hash -> the jitted function
_LOCK = threading.Lock()
_said = []


def _version():
    try:
        from importlib.metadata import version
        return version("tinygraph")
    except Exception:
        return "unknown"


def cache_dir():
    """Where generated kernels live: ``$TINYGRAPH_CACHE_DIR/fused`` or the user cache."""
    base = os.environ.get("TINYGRAPH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "tinygraph")
    return os.path.join(base, "fused")


def _load(source):
    """The jitted ``fused`` of ``source``: from this process, the disk, or compiled now."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:24]
    kernel = _LOADED.get(digest)
    if kernel is not None:
        return kernel
    with _LOCK:
        kernel = _LOADED.get(digest)
        if kernel is None:
            kernel = _LOADED[digest] = _import(source, digest)
    return kernel


def _import(source, digest):
    path = os.path.join(cache_dir(), "fused_%s.py" % digest)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with open(path) as f:
                fresh = f.read() != source
        except OSError:
            fresh = True
        if fresh:  # new, or overwritten by something else: write it (atomically)
            _say_once()
            tmp = "%s.%d.tmp" % (path, os.getpid())
            with open(tmp, "w") as f:
                f.write(source)
            os.replace(tmp, path)
        spec = importlib.util.spec_from_file_location("tinygraph_fused_" + digest, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # numba's cache finds the function's module by name
        spec.loader.exec_module(module)
        return module.fused
    except OSError:  # no writable cache: compile in memory (every process pays)
        _say_once()
        namespace = {}
        exec(compile(source, "<tinygraph fused %s>" % digest, "exec"), namespace)
        return namespace["fused"]


def _say_once():
    if not _said:
        _said.append(True)
        sys.stderr.write("tinygraph: compiling fused kernels for this graph (first run only; "
                         "later runs load them from the cache)\n")
