"""A Plan: one ``Session.run`` signature compiled into a flat list of kernel calls.

Compiling walks the graph once, in named steps a reader can follow:

1. resolve  - fetches and feed keys become tensors and ops of the session's graph;
2. prune    - keep only the ops the fetches need; a fed tensor's producer never runs;
3. check    - every needed placeholder is fed; no variable is both fed and written;
4. schedule - a topological order with three tiers (the order rule, below);
   fuse     - chains of elementwise ops become one step each (fusion.py);
5. number   - every live tensor gets an integer slot in a value list;
6. copies   - decide which values must be copied, and where (the sharing rule, below),
               and which dying values a fused group may overwrite (``_overwritable``);
7. bind     - each op becomes ``(kernel, input slots, output slot(s), op)``; the values
               of constant ops (a Const's array, a variable's cell) are computed once.

Running a plan converts the feeds, runs the steps (as one generated function with a line
per step: step_program.py) and hands the fetched values over.

**The order rule.** Ops run in dependency order, earliest-created first, in three tiers:
first every op that neither writes a variable nor depends on a write (so it sees the
variables as they were when ``run`` was called), then the writes (``Assign*``,
``Apply*``), then the ops that depend on a write. Before the first write lands, every write
whose inputs are already computed is checked (initialized variable, shapes), so a run
applies all of those writes or none (write_check.py). (When fused writes follow the check,
the running program makes them one step with it, each write calling the kernel its check
found; ``describe`` and traced runs show them apart.)

**The sharing rule.** Kernels may return views: a variable's read shares the variable's
storage, ``identity`` and ``reshape`` share their input's memory, a Const shares the
graph's array. Writes update variables in place: the inputs at their OpDef's ``writes``
indices (the variable, and an optimizer's slots). So each value records the storage it may
share (its *roots*: variables, constants, feeds). A value that shares a variable's storage
and is still needed after a write to that variable is copied just before that write (and
only then); a fetched value that still shares any root is copied when handed over, so the
caller owns what ``run`` returns. Everything else is passed along without a copy.
"""
import heapq

import numpy as np

from . import errors, fusion
from .feeds import FeedSpec
from .fetches import feed_target, fetch_target, flatten
from .graph import Operation, Tensor
from .registry import bind_kernel
from .step_program import compile_steps, op_error
from .write_check import bind_check, check_then_write, checking, pre_write_check

__all__ = ["Plan"]

# How a fetched value is handed over.
_AS_IS, _COPY, _COPY_IF_READ_ONLY, _FED = 0, 1, 2, 3


class Plan:
    """The compiled form of one run signature: feeds, ordered steps, fetch slots."""

    def __init__(self, session, fetches, feed_dict):
        self.session = session
        graph = session.graph
        # 1. resolve
        leaves = []
        self.rebuild = flatten(fetches, leaves)
        targets = [fetch_target(graph, leaf) for leaf in leaves]
        feed_targets = {key: feed_target(graph, key) for key in feed_dict or ()}
        fed = set(feed_targets.values())
        # A fetched variable (its reference) means its value.
        targets = [graph._variables_by_op[t.op]._snapshot
                   if isinstance(t, Tensor) and t.dtype.is_ref and t not in fed else t
                   for t in targets]
        # 2. prune, 3. check
        ops = _prune(targets, fed)
        _check_feeds(ops, fed)
        # 4. schedule, and fuse
        order = _schedule(ops, fed)
        if fusion.enabled():
            order = fusion.fuse(order, fed, targets)
        # 5. number: slot 0 collects the None of ops without outputs; the last slot, the
        # values of outputs that are fed (a fed tensor's op runs only when it is asked for
        # as an op: its outputs are thrown away, the feed wins)
        slots = {t: i + 1 for i, t in enumerate(sorted(fed, key=_creation_order))}
        for op in order:
            for t in op.outputs:
                slots.setdefault(t, len(slots) + 1)
        self.discard = len(slots) + 1
        self.num_slots = len(slots) + 2
        # Two keys may name one tensor (the object and its name): the later value wins.
        self.feeds = {key: FeedSpec(slots[t], t) for key, t in feed_targets.items()}
        # 6. copies, 7. bind
        fetched = {slots[t] for t in targets if isinstance(t, Tensor) and t not in fed}
        self.steps, roots = _bind_steps(session, order, slots, fed, fetched, self.discard)
        # The value list a run starts from: the constant ops' values (a Const's array, a
        # variable's cell) are put in once, here, and their steps are not run again.
        self.preset = [None] * self.num_slots
        for fn, ins, out, op in filter(_constant, self.steps):
            self.preset[out] = fn()
        running = check_then_write([step for step in self.steps if not _constant(step)])
        self._run_steps, self._kernels = _program(running), [fn for fn, _, _, _ in running]
        self._every_step = None  # the program of all steps, constant ones too: traced runs

        unique, self.leaf_index = {}, []
        for t in targets:
            self.leaf_index.append(unique.setdefault(t, len(unique)))
        self.fetch_slots = []  # per unique target: (slot, how to hand it over)
        for t in unique:
            if isinstance(t, Operation):
                self.fetch_slots.append((0, _FED))  # None
            elif t in fed:
                self.fetch_slots.append((slots[t], _FED))  # TF1: the fed object itself
            elif roots[slots[t]]:
                self.fetch_slots.append((slots[t], _COPY))
            elif t.op._op_def.aliases:
                self.fetch_slots.append((slots[t], _COPY_IF_READ_ONLY))  # a broadcast view
            else:
                self.fetch_slots.append((slots[t], _AS_IS))

    def run(self, feed_dict, steps=None):
        """Execute the plan once (``steps`` replaces its steps: see tracing.run_traced);
        returns the fetch structure with numpy values."""
        if self.session._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        vals = self.preset.copy()
        if feed_dict:
            feeds = self.feeds
            for key, value in feed_dict.items():
                feed = feeds[key]
                vals[feed.slot] = feed.convert(value)
        if steps is None:
            run_steps, kernels = self._run_steps, self._kernels
        else:  # every step, each with the kernel given for it (tracing.py's timed ones)
            if self._every_step is None:
                self._every_step = _program(self.steps)
            run_steps, kernels = self._every_step, [fn for fn, _, _, _ in steps]
        try:
            run_steps(vals, kernels)
        except Exception as e:
            error = op_error(run_steps, e)
            if error is None or error is e:
                raise
            raise error from e
        values = []
        for slot, how in self.fetch_slots:
            value = vals[slot]
            if how != _FED:
                if how == _COPY or how == _COPY_IF_READ_ONLY and not value.flags.writeable:
                    value = np.array(value)
                if value.ndim == 0:
                    value = value[()]  # a numpy scalar, as TF1 returns
            values.append(value)
        return self.rebuild([values[i] for i in self.leaf_index])

    def describe(self):
        """The compiled steps as text: feeds, one line per step with its slots, fetches."""
        names = {spec.slot: key if isinstance(key, str) else key.name
                 for key, spec in self.feeds.items()}
        lines = ["%d steps over %d value slots ($0 collects the None of ops without outputs)"
                 % (len(self.steps), self.num_slots - 2)]
        for slot, name in sorted(names.items()):
            lines.append("  feed   $%d <- %s" % (slot, name))
        for i, step in enumerate(self.steps, 1):
            fn, ins, out, op = step
            args = ", ".join("$%d" % k for k in ins)
            outs = out if isinstance(out, tuple) else (out,)
            target = ", ".join("$%d" % k for k in outs if k and k != self.discard) or "-"
            kind, name = step_kind(step)
            if kind == "snapshot":
                text = "copy $%d (still needed after %s writes its variable)" % (ins[0], name)
            elif kind == "check":
                text = "check the writes before the first one lands: %s" % name
            elif hasattr(op, "ops"):
                text = "%s = Fused %s[%s](%s)" % (target, op.name,
                                                  ", ".join(m.type for m in op.ops), args)
            else:
                text = "%s = %s %s(%s)" % (target, op.type, op.name, args)
            lines.append("  %3d. %s" % (i, text))
        for slot, how in self.fetch_slots:
            lines.append("  fetch  %s%s" % ("$%d" % slot if slot else "None (an op)",
                                           {_COPY: " (copied: it shares memory)",
                                            _COPY_IF_READ_ONLY: " (copied if a read-only "
                                            "view)"}.get(how, "")))
        return "\n".join(lines)


def _program(steps):
    """The steps as one generated function, a line per step (step_program.py)."""
    def label(step):
        kind, name = step_kind(step)
        return "%s %s" % (step[3].type if kind == "op" else kind, name)
    return compile_steps(steps, [label(step) for step in steps])


def _constant(step):
    """The step runs a constant op (OpDef.constant), whose value a plan computes once."""
    return step[3]._op_def.constant and step_kind(step)[0] == "op"


def step_kind(step):
    """("op" | "snapshot" | "check", a name for it) of one step."""
    fn, _, _, op = step
    if fn is np.array:
        return "snapshot", op.name
    if getattr(fn, "writes", None) is not None:
        return "check", ", ".join(w.name for w in fn.writes)
    return "op", op.name


# -- 1. resolve (fetches.py), 2. prune, 3. check ----------------------------------------------
def _creation_order(tensor):
    return tensor.op._id, tensor.value_index


def _prune(targets, fed):
    """The ops that the targets need, stopping at fed tensors (their producers never run)."""
    needed = set()
    stack = [t if isinstance(t, Operation) else t.op
             for t in targets if not (isinstance(t, Tensor) and t in fed)]
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        stack.extend(t.op for t in op.inputs if t not in fed)
        stack.extend(op.control_inputs)
    return needed


def _check_feeds(ops, fed):
    for op in sorted(ops, key=lambda o: o._id):
        if op.type == "Placeholder":
            shape = op.outputs[0].shape
            dtype = op.outputs[0].dtype
            tail = "" if shape.dims is None else " and shape %s" % shape.bracket_str()
            raise errors.InvalidArgumentError(
                None, op, "You must feed a value for placeholder tensor '%s' with dtype %s%s"
                % (op.name, dtype.tf_word, tail))
        for k in op._op_def.writes:
            if op.inputs[k] in fed:
                raise errors.InvalidArgumentError(
                    None, op, "Cannot write to variable '%s' in a run that feeds its value"
                    % op.inputs[k].op.name)


# -- 4. schedule ------------------------------------------------------------------------------
_READS, _WRITES, _AFTER_WRITES = 0, 1, 2  # the three tiers of the order rule


def _schedule(ops, fed):
    """Topological order by (tier, creation order): see the order rule in the module doc."""
    waiting, users, after_write = {}, {op: [] for op in ops}, set()
    for op in ops:
        deps = {t.op for t in op.inputs if t not in fed} | set(op.control_inputs)
        waiting[op] = len(deps)
        for dep in deps:
            users[dep].append(op)

    def entry(op):
        tier = _WRITES if op._op_def.mutates else _AFTER_WRITES if op in after_write else _READS
        return (tier, op._id, op)

    ready = [entry(op) for op, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        op = heapq.heappop(ready)[2]
        order.append(op)
        for user in users[op]:
            if op._op_def.mutates or op in after_write:
                after_write.add(user)
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, entry(user))
    return order


# -- 6. copies, 7. bind -----------------------------------------------------------------------
def _bind_steps(session, order, slots, fed, fetched, discard):
    """The step list, with snapshot steps and the pre-write check where the rules need them.

    Returns the steps and each slot's roots after the last step (what a fetch must copy).
    """
    last_use = {}
    for i, op in enumerate(order):
        in_place = getattr(op, "in_place_reads", ())  # a fused write reading its variable
        for k, t in enumerate(op.inputs):
            if k not in in_place:
                last_use[slots[t]] = i
    for slot in fetched:
        last_use[slot] = len(order)
    for op, inputs in _overwritable(order, slots, fed, last_use).items():
        op.overwritable = inputs
    roots = {slots[t]: frozenset([t]) for t in fed}
    refs = {slots[t] for t in slots if t.dtype.is_ref}  # these hold a variable's cell
    first_write = next((i for i, op in enumerate(order) if op._op_def.mutates), len(order))
    ready_at_first_write = set(roots) | {slots[t] for op in order[:first_write]
                                         for t in op.outputs}
    steps, checked = [], []
    for i, op in enumerate(order):
        op_def = op._op_def
        if i == first_write:
            steps.append(None)  # the place of the pre-write check, filled in below
        if op_def.mutates:
            variables = _written(op)  # the variable and, for an optimizer, its slots
            for slot, slot_roots in roots.items():
                if variables & slot_roots and slot not in refs and last_use.get(slot, -1) >= i:
                    steps.append((np.array, (slot,), slot, op))  # snapshot before the write
                    roots[slot] = frozenset()
            ins = [slots[t] for t in op.inputs]
            if op_def.check is not None and all(s in ready_at_first_write for s in ins) and \
                    all(not variables & _written(c) for c in checked):
                checked.append(op)
        ins = tuple(slots[t] for t in op.inputs)
        outs = tuple(discard if t in fed else slots[t] for t in op.outputs)  # a feed wins
        out = 0 if not outs else outs[0] if len(outs) == 1 else outs
        fn = bind_kernel(op, session)
        if op_def.check is not None and op not in checked:  # a chained write: check it here
            fn = checking(bind_check(op), fn)
        steps.append((fn, ins, out, op))
        if op_def.aliases:
            which = range(len(ins)) if op_def.aliases is True else op_def.aliases
            shared = frozenset([op]) if not ins else frozenset().union(
                *[roots.get(ins[k], ()) for k in which])
            for slot in outs:
                if slot:
                    roots[slot] = shared
        else:
            for slot in outs:
                roots.setdefault(slot, frozenset())
    if first_write < len(order):
        index = steps.index(None)
        if checked:
            steps[index] = pre_write_check(checked, slots, discard)
        else:
            del steps[index]
    return steps, roots


def _overwritable(order, slots, fed, last_use):
    """For the ops that can write their output over an input (those with an
    ``overwritable`` attribute: fused groups), the inputs they may: a value that only its
    own op holds (a fresh array from a one-output op that makes no views), that no view was
    taken of, and that no later op reads (a fetched value is read at the end of the run).
    TF1's kernels reuse such inputs too (``forward_input``): it saves an allocation, and
    the memory is still in the cache."""
    fresh = {slots[op.outputs[0]] for op in order if len(op.outputs) == 1
             and not op._op_def.aliases and op.outputs[0] not in fed}
    for op in order:  # a view shares its input's memory: that memory is not one op's own
        aliases = op._op_def.aliases
        if aliases:
            fresh -= {slots[t] for k, t in enumerate(op.inputs)
                      if aliases is True or k in aliases}
    result = {}
    for i, op in enumerate(order):
        if hasattr(op, "overwritable"):
            ins = [slots[t] for t in op.inputs]
            result[op] = frozenset(k for k, slot in enumerate(ins) if slot in fresh
                                   and last_use[slot] == i and ins.count(slot) == 1)
    return result


def _written(op):
    """The VariableV2 ops that write ``op`` updates in place (its ``writes`` inputs)."""
    return frozenset(op.inputs[k].op for k in op._op_def.writes)
