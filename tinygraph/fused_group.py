"""A fused group as a plan step: ``FusedGroup`` (which ops the fusion pass puts in a group
is ``fusion.py``; how its kernel is written and cached, ``fused_kernels.py`` and
``fused_gemm.py``).

A group looks like an Operation to plan.py. Each run picks the kernel for its input shapes:
one that was built for them, or one built now when the same shapes come back often enough
(``COMPILE_AFTER``), or the ops one by one with their own kernels when the shapes do not
fit a loop (they then raise the errors TF1 raises). A group that ends in a write also gives
plan.py its check, which runs before any write of the run lands.
"""
from . import errors
from .fused_gemm import GemmUpdateKernel
from .fused_kernels import ElementwiseKernel, MeanXentKernel
from .registry import OpDef, bind_kernel

__all__ = ["FusedGroup", "COMPILE_AFTER", "reads_variable"]

# A new kernel is compiled when a group meets the same input shapes for the COMPILE_AFTER-th
# time (unless it is cached already). A compile costs 0.3-1 s (once per machine: it is kept
# on disk) and saves a few microseconds per run, so only a graph run many times with the
# same shapes earns it: a training loop is fused from its 100th step (from its first once
# the kernel is on disk), while a graph run a few dozen times (an evaluation, a gradient
# check that runs once per element, a property test's random graphs) never waits for numba.
COMPILE_AFTER = 100


def reads_variable(t, variable):
    """``t`` is a plain read of ``variable`` (its ``read`` Identity)."""
    return t.op.type == "Identity" and t.op.inputs[0].op is variable


# -- the group --------------------------------------------------------------------------------
class FusedGroup:
    """Several ops that run as one step; looks like an Operation to plan.py.

    ``ops`` are the members in schedule order (a write last); ``inputs`` the values they
    read from outside; ``outputs`` the values read after the group or fetched.
    """

    type = "Fused"
    control_inputs = ()
    attrs = {}
    overwritable = frozenset()  # the inputs it may write its output over (set by plan.py)

    def __init__(self, ops, fetched, users, fed=frozenset()):
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
        # the inputs written in place: the variable first, then an optimizer's slots
        self._refs = [self.inputs.index(write.inputs[k]) for k in write._op_def.writes] \
            if write else []
        self._ref = self._refs[0] if write else None
        variable = write.inputs[0].op if write else None
        # reads of the written variable, each element read before it is written: no copy
        # (a fed read is the fed value, not the variable)
        self.in_place_reads = tuple(k for k, t in enumerate(self.inputs)
                                    if write and reads_variable(t, variable) and t not in fed)
        self._op_def = OpDef("Fused", None, kernel=self.run, mutates=write is not None,
                             check=self.check if write else None, aliases=write is not None,
                             writes=tuple(self._refs))
        self._fns = [bind_kernel(op, None) for op in ops]
        self._unfused = self._run_unfused  # one bound method, so that `is` finds it
        self._kernels = {}  # the input shapes -> a call of the kernel, or _unfused
        # the input shapes -> [runs so far, the kernel built for them], until it is compiled
        self._pending = {}
        # the input shapes of a call, as one tuple (a variable's cell holds its array)
        self._key = eval("lambda values: (%s,)" % ", ".join(
            "values[%d]%s.shape" % (k, ".value" if k in self._refs else "")
            for k in range(len(self.inputs))))
        self.dtype = ops[-1].outputs[0].dtype.base_dtype.np_dtype if not write else \
            write.inputs[0].dtype.base_dtype.np_dtype

    def __repr__(self):
        return "<FusedGroup %s [%s]>" % (self.name, ", ".join(op.type for op in self.ops))

    def describe_origin(self):
        """Where the group's ops were made (an error in the group names them all)."""
        return "\n\n".join(op.describe_origin() for op in self.ops)

    # -- running ------------------------------------------------------------------------------
    def run(self, *values):
        call = self._kernels.get(self._key(values))
        if call is None:
            call = self._compile(values)
        return call(values)

    def _build(self, values):
        """The kernel for the shapes of ``values`` (not compiled yet), or None."""
        arrays = list(values)
        for k in self._refs:
            arrays[k] = values[k].value
        if any(op.type == "MatMul" for op in self.ops):
            build = GemmUpdateKernel.build
        elif self.ops[-1].type == "Mul" and any(
                op.type == "SparseSoftmaxCrossEntropyWithLogits" for op in self.ops):
            build = MeanXentKernel.build
        else:
            build = ElementwiseKernel.build
        return build(self, arrays)

    def _register(self, values, key):
        """Build the kernel for new shapes, once: it becomes the call when it is compiled
        already (by an earlier run or process), else it waits in ``_pending``; shapes that
        do not fit run the ops one by one from now on."""
        kernel = self._build(values)
        if kernel is None:
            self._kernels[key] = self._unfused
        elif kernel.cached():
            self._kernels[key] = kernel.load()
        else:
            self._pending.setdefault(key, [0, kernel])

    def _compile(self, values):
        """The call for shapes without a kernel yet: the ops one by one until the shapes
        have come back COMPILE_AFTER times, then the kernel, compiled now."""
        key = self._key(values)
        if key not in self._pending:
            self._register(values, key)
        pending = self._pending.get(key)
        if pending is None:  # it fits no loop, or it was on disk (or another thread compiled)
            return self._kernels[key]
        pending[0] += 1
        if pending[0] < COMPILE_AFTER:
            return self._unfused  # not hot yet: compiling would cost more than it saves
        call = self._kernels[key] = pending[1].load()
        self._pending.pop(key, None)
        return call

    def check(self, *values):
        """The write's check, before any write of the run lands (plan.py). Returns the
        compiled call that fits these shapes, for the write to use (``call(values)``), or
        None when the write must go through ``run``."""
        try:  # the common case, in one lookup: a compiled kernel fits these shapes
            call = self._kernels.get(self._key(values), self._unfused)
            if call is not self._unfused:
                return call
        except AttributeError:  # an uninitialized variable (its cell holds None): see below
            pass
        try:
            for k in self._refs:
                if values[k].value is None:
                    values[k].read()  # an uninitialized variable or slot: raises
            key = self._key(values)
            call = self._kernels.get(key)
            if call is None and key not in self._pending:
                self._register(values, key)
                call = self._kernels.get(key)
            if call is not self._unfused:
                return None  # a kernel fits these shapes (compiled, or waiting to be)
        except errors.OpError as e:
            e.op = e.op or self.write
            raise
        # no kernel fits: compute what the write reads, and check it as the unfused ops do
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
                result = fn(*[env[t] for t in op.inputs])
            except errors.OpError as e:
                e.op = e.op or op
                raise
            if len(op.outputs) == 1:
                env[op.outputs[0]] = result
            else:
                env.update(zip(op.outputs, result))
        return env
