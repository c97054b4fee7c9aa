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

What it does to the two-layer net of the follow-up post (``Session.describe_plan`` of its
training step; 37 steps become 24)::

    unfused (TINYGRAPH_FUSION=0)                  fused
    $12 = Add add($11, $6)
    $13 = Relu Relu($12)                          $12 = Fused Relu[Add, Relu]($11, $6)
    $15 = Add add_1($14, $10)
    $16, $17 = SparseSoftmaxCrossEntropyWith...
    $23 = MeanGrad gradients/Mean_grad/...
    $24 = ExpandDims ..._grad/ExpandDims($23)
    $25 = Mul ..._grad/mul($24, $17)              $17 = Fused ..._grad/mul[Add,
                                                        SparseSoftmaxCrossEntropyWithLogits,
                                                        MeanGrad, ExpandDims, Mul](...)
    $29 = ReluGrad Relu_grad/ReluGrad($27, $13)   $19 = Fused Relu_grad/ReluGrad[ReluGrad](
                                                        $18, $12)
    $22 = Mul gradients/L2Loss_grad/mul($4, $20)
    $31 = MatMul MatMul_grad/MatMul_1($1, $29)
    $33 = AddN gradients/AddN_1($22, $31)
    $35 = ApplyGradientDescent update_W1(         $21 = Fused update_W1[Mul, MatMul, AddN,
          $3, $34, $33)                                 ApplyGradientDescent](...)
    $30 = SumToShape add_grad/SumToShape($29, $6)
    $36 = ApplyGradientDescent update_b1(...)     $22 = Fused update_b1[SumToShape,
                                                        ApplyGradientDescent](...)

The generated kernel of ``update_b1`` (the column sum in the loop nest, the update after it;
the same kernel updates b2 with other shapes)::

    @jit
    def fused(n0, n1, x0, x2, x3, s0):
        v3 = x3[0]                       # the learning rate
        for i0 in range(n0):
            for i1 in range(n1):
                v0 = x0[i0, i1]          # the gradient of the hidden layer's input
                s0[i1] += v0             # SumToShape: down the columns
        s0_flat = s0.reshape(-1)
        x2_flat = x2.reshape(-1)         # b1, updated in place
        for j in range(x2_flat.size):
            w0 = x2_flat[j]
            w0 = w0 - v3 * s0_flat[j]    # ApplyGradientDescent
            x2_flat[j] = w0

``update_W1`` is the one group that is not a loop: its gradient is the matrix product
``x^T @ dh`` plus the L2 term ``c * W1``, so the whole update is
``W1 * (1 - lr * c) - lr * (x^T @ dh)``, one call of BLAS's ``gemm`` written over W1 (no
array for the gradient, no second pass over it). ``_gemm_update`` below says exactly which
graphs it takes; its results differ from the ops' by rounding only. For shapes where one
gemm is not faster (``fused_gemm._gemm_pays``) the group computes the product, then the
update in one pass, as the ops do.

The mean cross-entropy and its gradient is a pattern rather than a chain (MeanGrad reads
only the shape of the losses, and the cross-entropy works row by row), so it has a
hand-written kernel, ``kernels.bias_sparse_xent_scaled`` (the fused step calls its jitted
core, ``bias_xent_scaled_into``, directly), with the ops' arithmetic in the ops' order;
``_mean_xent`` below says exactly which graphs it takes.

An elementwise op that no chain takes still becomes a group of its own when it can write
its result over an input that dies in it (``_dies_in``): the relu's gradient above,
ReluGrad(dz @ W2^T, h), then masks the product in place instead of filling a new array.

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

This module decides the groups; ``fused_group.py`` runs a group as a plan step (and decides
when its kernel is compiled), ``fused_kernels.py`` writes and caches the kernels.
"""
import os

from . import kernels
from .fused_group import FusedGroup, reads_variable
from .fused_kernels import value_inputs
from .graph import Tensor

__all__ = ["enabled", "fuse", "FusedGroup"]

_DTYPES = ("float32", "float64")


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

    group_of, early = {}, {}  # early: a group placed at its first op, and Consts it needs
    for op in order:  # a classifier's mean cross-entropy and its gradient: one kernel
        group = _mean_xent(op, users, fed, fetched, control_users)
        if not group:
            continue
        if not _may_join(group[:-1], group[-1], position, users, writes):
            consts = _run_first(group, position, fed, writes)
            if consts is None:
                continue
            early[id(group)] = consts
        for member in group:
            group_of[member] = group

    for write in order:  # a write with the ops that only it reads
        if kind(write) != "update" or any(len(writers[write.inputs[k].op]) != 1
                                          for k in write._op_def.writes):
            continue
        variable = write.inputs[0].op
        members, todo = {write}, [write.inputs[write._op_def.fusion.grad].op]
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
            values = value_inputs(op)
            if not all(t in fed or not _variables(t) or reads_variable(t, variable)
                       for t in values):
                continue
            members.add(op)
            todo.extend(t.op for t in values if t not in fed)
        members = _gemm_update(write, members, users, fed, fetched, control_users) or members
        if members:  # an update alone too: its generated call is leaner than the kernel's
            group = sorted(members, key=position.get)
            for op in group:
                group_of[op] = group

    for op in order:  # reads: an op joins the group of one of its inputs' producers
        if op in group_of or kind(op) not in ("elementwise", "sum_to"):
            continue
        for t in value_inputs(op):
            producer = t.op
            if t in fed or producer not in position or kind(producer) != "elementwise":
                continue
            group = group_of.get(producer) or [producer]
            if any(m._op_def.mutates or m._op_def.fusion is None for m in group) or \
                    not _may_join(  # (a write's group, or the cross-entropy's, is closed)
                    group, op, position, users, writes):
                continue
            group.append(op)
            for member in group:
                group_of[member] = group
            break

    for op in order:  # an op alone, when it can write its result over an input (plan.py's
        # _overwritable): a relu's gradient over the matrix product that dies in it
        if op not in group_of and kind(op) == "elementwise" and any(
                _dies_in(t, op, users, fed, fetched) for t in value_inputs(op)):
            group_of[op] = [op]

    fused, moved = [], {c for consts in early.values() for c in consts}
    for op in order:
        group = group_of.get(op)
        if group is None:
            if op not in moved:
                fused.append(op)
        elif op is (group[0] if id(group) in early else group[-1]):
            fused.extend(early.get(id(group), ()))
            fused.append(FusedGroup(group, fetched, users, fed))
    return fused


def _run_first(group, position, fed, writes):
    """Whether ``group`` may run where its first op ran (when its last op's place is
    taken: e.g. the loss is fetched, and read before the gradient). Returns the Consts to
    move before it (they have no inputs: running them earlier changes nothing), or None."""
    first, last = position[group[0]], position[group[-1]]
    if any(first < w < last for w in writes):
        return None
    members, consts = set(group), []
    for op in group:
        for t in op.inputs:
            producer = t.op
            if t in fed or producer in members or position.get(producer, first) < first:
                continue
            if producer.type != "Const" or producer.control_inputs:
                return None
            consts.append(producer)
    return consts


def _mean_xent(xent, users, fed, fetched, control_users):
    """The ops of ``mean(sparse_softmax_cross_entropy_with_logits(logits=z + b))`` and its
    gradient as TF1 builds them, in schedule order, or None::

        [Add(z, b)] -> SparseSoftmaxCrossEntropyWithLogits -> loss, backprop
        Mul(ExpandDims(MeanGrad(grad, loss), -1), backprop)   (the gradient of z)

    MeanGrad reads only the loss's shape, so the whole chain is one pass over the rows
    (``kernels.bias_sparse_xent_scaled``), with the same arithmetic in the same order.
    """
    if xent.type != "SparseSoftmaxCrossEntropyWithLogits" or \
            xent.outputs[1].dtype.base_dtype.name not in _DTYPES:
        return None

    def only_user(t, op_type):
        readers = users.get(t, ())
        if t in fetched or t in fed or len(readers) != 1 or readers[0].type != op_type:
            return None
        return readers[0]

    loss, backprop = xent.outputs
    mul = only_user(backprop, "Mul")
    if mul is None or mul.inputs[1] is not backprop:
        return None
    expand = mul.inputs[0].op
    if expand.type != "ExpandDims" or expand.attrs["axis"] not in ((-1,), (1,)) or \
            only_user(expand.outputs[0], "Mul") is not mul:
        return None
    mean = expand.inputs[0].op
    if mean.type != "MeanGrad" or mean.inputs[1] is not loss or mean.attrs["axis"] is not None \
            or mean.attrs["keepdims"] or only_user(mean.outputs[0], "ExpandDims") is not expand:
        return None
    group = [xent, mean, expand, mul]
    add = xent.inputs[0].op
    if add.type == "Add" and only_user(xent.inputs[0], xent.type) is xent and \
            add.inputs[0].shape.ndims == 2 and add.inputs[1].shape.ndims == 1:
        group.insert(0, add)
    if any(op in control_users or op.control_inputs or any(t in fed for t in op.outputs)
           for op in group):
        return None
    return group


def _gemm_update(write, members, users, fed, fetched, control_users):
    """The members of ``write``'s group with the gradient's MatMul folded in, or None: for a
    gradient-descent step on a weight whose gradient is ``a^T @ b`` (what TF1 builds for the
    weights of ``x @ W``), with or without an L2 term ``W * c``, exactly::

        ApplyGradientDescent(W, lr, MatMul(a, b, transpose_a=True))
        ApplyGradientDescent(W, lr, AddN(MatMul(a, b, transpose_a=True), Mul(W, c)))

    (either order inside AddN and Mul; c a scalar, whose own ops leave the group and run
    before it). BLAS's gemm then computes the update in one call over W
    (``GemmUpdateKernel`` in fused_gemm.py). The product must be read by nothing else,
    and a and b must not share a variable's storage: the product now runs after earlier
    writes of the run, and gemm reads a and b while it writes W."""
    if write.type != "ApplyGradientDescent":
        return None
    variable, delta = write.inputs[0].op, write.inputs[2]
    if members == {write}:
        product, kept = delta, {write}
    else:
        add = delta.op
        terms = [t.op for t in add.inputs if t.op in members]
        products = [t for t in add.inputs if t.op not in members]
        if add not in members or add.type not in ("AddN", "Add") or len(add.inputs) != 2 or \
                len(terms) != 1 or len(products) != 1 or terms[0].type != "Mul":
            return None
        mul = terms[0]
        product, kept = products[0], {write, add, mul}
        x, y = mul.inputs
        if not (reads_variable(x, variable) and x not in fed and y.shape.ndims == 0 or
                reads_variable(y, variable) and y not in fed and x.shape.ndims == 0):
            return None  # (a fed read is the fed value, not W)
        if any(op.outputs[0].shape.ndims != 0 for op in members - kept):
            return None  # only the scalar's ops may leave
    op = product.op
    if op.type != "MatMul" or not op.attrs["transpose_a"] or op.attrs["transpose_b"] or \
            product in fed or product in fetched or len(users.get(product, ())) != 1 or \
            op in control_users or op.control_inputs or \
            product.dtype.base_dtype != write.inputs[0].dtype.base_dtype or \
            any(t.dtype.is_ref or _variables(t) for t in op.inputs if t not in fed):
        return None
    return kept | {op}


def _may_join(group, op, position, users, writes):
    """Whether ``op`` may join ``group`` and the group run at ``op``'s place."""
    first, here = position[group[0]], position[op]
    if any(first < w < here for w in writes):
        return False  # the group would move across a write
    members = set(group) | {op}
    for member in group:
        fusion = member._op_def.fusion
        if fusion is not None and fusion.kind == "sum_to" and member.outputs[0] in op.inputs:
            return False
        for t in member.outputs:
            if any(u not in members and position[u] < here for u in users.get(t, ())):
                return False  # read before the group would run
    return True


def _dies_in(t, op, users, fed, fetched):
    """``t`` is a fresh array that only ``op`` reads, of ``op``'s shape and dtype: ``op`` may
    write its result over it (plan.py decides for good, with the same rules)."""
    producer, out = t.op, op.outputs[0]
    return t not in fed and t not in fetched and users.get(t) == [op] and \
        len(producer.outputs) == 1 and not producer._op_def.aliases and \
        producer._op_def.fusion is None and t.dtype == out.dtype and \
        t.shape.is_compatible_with(out.shape) and t.shape.ndims not in (None, 0)


def _one_dtype(op):
    """All the values the op computes with have one float dtype we compile for."""
    dtypes = {t.dtype.base_dtype.name for t in value_inputs(op) + list(op.outputs)}
    if op._op_def.fusion.kind == "update":
        dtypes = {t.dtype.base_dtype.name for t in op.inputs}
    return len(dtypes) == 1 and dtypes <= set(_DTYPES)


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
