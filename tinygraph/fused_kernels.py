"""How a fused group's kernel is written, compiled and cached (the fusion pass is
``fusion.py``).

For each combination of input shapes a group meets, ``ElementwiseKernel`` writes the
source of one numba function: a loop nest over the group's iteration space (one flat loop
when nothing broadcasts), a load per input with the index its broadcasting needs, one line
per op pasted from the op's ``Fusion`` expression, and a store per value that leaves the group
(a sum accumulates; an update writes the variable and its slots in place). It also writes
the small Python function that allocates the outputs (or takes an input that dies in the
group, when plan.py allows it: ``FusedGroup.overwritable``) and calls the kernel, so a run
pays one call. ``MeanXentKernel`` calls the hand-written kernel of the mean cross-entropy
instead (``fused_gemm.py`` has the call of an update whose gradient is a product).

Generated sources are kept on disk by ``fused_cache.py``, named by the hash of their text.
The text holds every expression, the broadcast pattern, the dtype and tinygraph's version
(``_version``), so a change to any of them is a new file: a stale kernel cannot be loaded.
"""
import sys

import numpy as np

from . import fused_cache

_CODEGEN = 1  # the form of the generated code; part of every kernel's source


def value_inputs(op):
    """The inputs whose values (not only shapes) the op reads; a write's variable aside."""
    fusion = op._op_def.fusion
    kind = None if fusion is None else fusion.kind  # (a MatMul in a gemm update: all)
    if kind == "sum_to":
        return [op.inputs[0]]
    if kind == "update":
        return [t for k, t in enumerate(op.inputs) if k not in op._op_def.writes]
    return list(op.inputs)



class ElementwiseKernel:
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
            else:  # update: the written inputs and the gradient have the variable's shape
                out, grad, refs = ins[0], fusion.grad, op._op_def.writes
                if any(ins[k] != (out if k == grad or k in refs else ()) for k in range(len(ins))):
                    return None
                if not _summed_in(group, op.inputs[grad]):
                    loop.append(out)
            shapes[op.outputs[0]] = out
        try:
            space = np.broadcast_shapes(*loop)
        except ValueError:
            return None
        if 0 in space:  # an empty loop stores nothing, not even a value that is not empty
            return None  # (a scalar's negation next to a batch of 0 rows): run unfused
        values = {t for op in group.ops for t in value_inputs(op)}
        for op in group.ops:
            kind = op._op_def.fusion.kind
            if kind == "sum_to" and shapes[op.inputs[0]] != space:
                return None  # the sum must see each element once
        write = group.write
        if write is not None and not _summed_in(group, write.inputs[write._op_def.fusion.grad]):
            for k in group.in_place_reads:  # read and written in the same loop
                if group.inputs[k] in values and arrays[k].shape != space:
                    return None
        return ElementwiseKernel(group, arrays, shapes, space)

    def __init__(self, group, arrays, shapes, space):
        self.group, self.dtype = group, group.dtype
        values = set()
        for op in group.ops:
            values.update(value_inputs(op))
        write = group.write
        # Updated in the loop, the variable's reads are its own elements, loaded once (w0):
        # one array fewer, so that numba can vectorize the loop.
        in_loop = write is not None and not _summed_in(
            group, write.inputs[write._op_def.fusion.grad])
        aliased = {k for k in group.in_place_reads if group.inputs[k] in values} \
            if in_loop else set()
        passed = [k for k, t in enumerate(group.inputs)
                  if (k in group._refs or t in values) and k not in aliased]
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
            if k in group._refs:
                names[t] = ("x%d" % k, index)
                if in_loop:  # each written element is loaded once, before the body
                    loads.append("w%d = x%d[%s]" % (group._refs.index(k), k, index))
                continue
            load = "v%d = x%d[%s]" % (k, k, index)
            (loads if "i" in index else scalars).append(load)  # a scalar: read once
            names[t] = ("v%d" % k, None)
        for k in aliased:
            names[group.inputs[k]] = ("w0", None)
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
            else:  # the update: the written values in locals w<k>, in the formulas' order
                refs, grad = op._op_def.writes, fusion.grad
                outputs.append((out, None))
                delta, delta_index = names[op.inputs[grad]]
                if delta_index is None:  # computed in the loop: update this element
                    where = {k: "%s[%s]" % names[op.inputs[k]] for k in refs}
                    code, values_ = stores, {}
                else:  # a sum: after the loop, over the variable's elements
                    post += ["%s_flat = %s.reshape(-1)" % (delta, delta)]
                    post += ["%s_flat = %s.reshape(-1)" % ((names[op.inputs[k]][0],) * 2)
                             for k in refs]
                    post.append("for j in range(%s_flat.size):" % names[op.inputs[0]][0])
                    where = {k: "%s_flat[j]" % names[op.inputs[k]][0] for k in refs}
                    code, values_ = [], {grad: "%s_flat[j]" % delta}
                if not in_loop:
                    code += ["w%d = %s" % (k, where[k]) for k in refs]
                args = [values_.get(k, "w%d" % k if k in refs else names[t][0])
                        for k, t in enumerate(op.inputs)]
                code += ["w%d = %s" % (k, source.format(*args, T="np." + dtype))
                         for k, source in fusion.updates(op.attrs)]
                code += ["%s = w%d" % (where[k], k) for k in refs]
                if delta_index is not None:
                    post += ["    " + line for line in code]
        # An output may be written over an input that dies here (plan.py): one of the same
        # shape and dtype that covers the whole loop, so that each element is read (at the
        # top of the body) before the same element is stored (at its end), once.
        self.reuse = {}  # index into made -> the input it goes over
        for i, (new, shape, _) in enumerate(made):
            free = [k for k in sorted(group.overwritable) if k in passed and
                    k not in group._refs and k not in self.reuse.values() and
                    arrays[k].shape == shape and arrays[k].dtype == self.dtype and
                    int(np.prod(shape)) == size]
            if new is np.empty and free:
                self.reuse[i] = free[0]
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
        self.space, self.params = space, params

    def cached(self):
        """Whether the kernel is compiled already (in this process or on disk)."""
        return fused_cache.cached(self.source)

    def load(self):
        """``call(values) -> outputs``, compiling the kernel if it is not cached."""
        self.kernel = fused_cache.load(self.source)
        return self._caller(self.group, self.space, self.params)

    def _caller(self, group, space, params):
        """``call(values) -> outputs``: a Python function written for these shapes, so that
        a run pays one call and the allocations, nothing more."""
        lines = ["def call(values):"]
        for k, shape in self.args:
            if k in group._refs:
                lines += ["    r%d = values[%d].value" % (k, k),
                          "    if not r%d.flags.c_contiguous:  # never write into a copy" % k,
                          "        return unfused(values)",
                          "    x%d = r%d%s" % (k, k, "" if shape is None
                                             else ".reshape(%r)" % (shape,))]
            else:
                lines.append("    x%d = values[%d]%s" % (
                    k, k, "" if shape is None else ".reshape(%r)" % (shape,)))
        outs = [p for p in params if p[0] in "ys"]
        for i, (name, (new, shape), padded) in enumerate(zip(outs, self.made, self.padded)):
            alloc = "np.%s(%r, dtype)" % (new.__name__, shape)
            if i in self.reuse:  # over the input if it is an array of its own, C-ordered
                k = self.reuse[i]
                lines += ["    f%d = values[%d].flags" % (k, k),
                          "    %s = values[%d] if values[%d].base is None and f%d.c_contiguous"
                          " and f%d.writeable else %s" % (name, k, k, k, k, alloc)]
            else:
                lines.append("    %s = %s" % (name, alloc))
        passed = [name if padded is None else "%s.reshape(%r)" % (name, padded)
                  for name, padded in zip(outs, self.padded)]
        lines.append("    kernel(%s)" % ", ".join(
            [str(d) for d in space] + ["x%d" % k for k, _ in self.args] + passed))
        results = ["r%d" % group._ref if i is None else outs[i]
                   for i in (self.pick if isinstance(self.pick, tuple) else (self.pick,))]
        lines.append("    return %s" % ", ".join(results))
        self.caller_source = "\n".join(lines) + "\n"
        namespace = {"np": np, "kernel": self.kernel, "dtype": self.dtype,
                     "unfused": group._run_unfused}
        exec(compile(self.caller_source, "<tinygraph fused call>", "exec"), namespace)
        return namespace["call"]


class MeanXentKernel:
    """The call of the mean cross-entropy's kernel for a group that _mean_xent found, for
    one combination of input shapes."""

    @staticmethod
    def build(group, arrays):
        has_bias = group.ops[0].type == "Add"
        z, bias, labels, grad = arrays if has_bias else arrays[:1] + [None] + arrays[1:]
        if z.ndim != 2 or z.shape[1] == 0 or labels.shape != z.shape[:1] or \
                np.shape(grad) != () or z.dtype != group.dtype or \
                np.asarray(grad).dtype != group.dtype or \
                (has_bias and (bias.shape != z.shape[1:] or bias.dtype != z.dtype)):
            return None  # the ops one by one raise the errors TF1 raises
        return MeanXentKernel(group, has_bias, z.shape)

    def cached(self):
        return True  # the kernel is compiled with the other kernels

    def __init__(self, group, has_bias, shape):
        self.group, self.has_bias, self.shape = group, has_bias, shape
        loss, gradient = group.ops[-4].outputs[0], group.ops[-1].outputs[0]
        self.pick = [(t is loss) for t in group.outputs if t in (loss, gradient)]

    def load(self):
        """``call(values) -> outputs`` for these shapes, which ``build`` checked: so the
        call only allocates the results and runs the kernel."""
        from .kernels.numba_impl import bias_xent_scaled_into as kernel
        group, pick, shape = self.group, self.pick, self.shape
        n, k = shape
        dtype = np.dtype(group.dtype)
        scalar = dtype.type
        zeros = None if self.has_bias else np.zeros(k, dtype)
        with_loss = any(pick)  # else only the losses' shape is read: skip the logs
        # the gradient may go over the logits when nothing reads them after this group
        # (plan.py) and they are an array of their own; the loss reads them last, so not then
        reuse = 0 in group.overwritable and not with_loss
        no_loss = np.empty(0, dtype)
        count = max(n, 1)
        unfused = group._run_unfused

        def call(values):
            if zeros is None:
                z, bias, labels, grad = values
            else:
                (z, labels, grad), bias = values, zeros
            # grad / count in grad's dtype, as MeanGrad computes it (a float32 quotient
            # computed in float64 and rounded once is the float32 quotient: 53 >= 2*24+2)
            scale = scalar(float(grad) / count)
            loss = np.empty(n, dtype) if with_loss else no_loss
            flags = z.flags
            gradient = z if reuse and z.base is None and flags.c_contiguous and \
                flags.writeable else np.empty(shape, dtype)
            if kernel(z, bias, labels, scale, loss, gradient, with_loss) != -1:
                return unfused(values)  # a label out of range: the ops raise TF1's error
            if len(pick) == 1:
                return loss if pick[0] else gradient
            return tuple(loss if is_loss else gradient for is_loss in pick)
        return call


def _summed_in(group, t):
    """``t`` is a sum that ``group`` computes (known only after its loop)."""
    return t.op in group.ops and t.op._op_def.fusion.kind == "sum_to"


def _sums_to(shape, target):
    """``target`` is what SumToShape makes of ``shape`` (dims kept, or summed to 1)."""
    if len(target) > len(shape):
        return False
    lead = len(shape) - len(target)
    return all(t == s or t == 1 for t, s in zip(target, shape[lead:]))


def _version():
    """tinygraph's version and the numba flags its kernels compile with (numba's own cache
    does not see a change of flags)."""
    from .kernels._jit import FLAGS
    return "%s %s" % (getattr(sys.modules.get("tinygraph"), "__version__", "?"),
                      ",".join("%s=%s" % item for item in sorted(FLAGS.items())))
