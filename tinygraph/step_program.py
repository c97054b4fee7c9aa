"""A plan's steps as one generated Python function, a line per step (plan.py runs every
plan this way)::

    def run_steps(vals, k):
        vals[4] = k[0](vals[3])                  # Identity Variable/read
        vals[6] = k[1](vals[5])                  # Identity Variable_1/read
        vals[7] = k[2](vals[1], vals[4])         # MatMul MatMul
        ...
        return vals

``vals`` is the run's value list (plan.py's slots) and ``k`` the steps' kernels in order, an
argument so that a traced run can pass timed ones to the same function. It does what a
loop over the steps would do, without the loop's own work per step (unpacking the step,
gathering its arguments, storing its outputs: ~0.1 µs a step, 1-2 % of the article's
training step at batch 10). When a step raises, ``op_error`` finds which one from the
traceback's line, so the fast path pays nothing for naming the op in the error.
"""
from . import errors

__all__ = ["compile_steps", "op_error"]


def compile_steps(steps, labels):
    """``run_steps(vals, k)`` for ``steps`` (plan.py's ``(kernel, input slots, output
    slot(s), op)``), each line commented with its label; ``run_steps.source`` is the text
    and ``run_steps.steps`` the steps."""
    lines = ["def run_steps(vals, k):"]
    for i, ((_, ins, out, _), label) in enumerate(zip(steps, labels)):
        target = "vals[%d]" % out if out.__class__ is int else \
            "".join("vals[%d], " % k for k in out)  # several outputs: unpacked
        call = "k[%d](%s)" % (i, ", ".join("vals[%d]" % k for k in ins))
        lines.append("    %s = %-40s # %s" % (target, call, repr(label)[1:-1]))
    lines.append("    return vals")
    source = "\n".join(lines) + "\n"
    namespace = {}
    exec(compile(source, "<tinygraph plan>", "exec"), namespace)
    run_steps = namespace["run_steps"]
    run_steps.source, run_steps.steps = source, steps
    return run_steps


def op_error(run_steps, error):
    """The error to raise for ``error``, raised inside ``run_steps``: an OpError naming the
    op of the step that raised it; None when no step did (raise it as it is)."""
    step = _failed_step(run_steps, error)
    if step is None:
        return None
    op = run_steps.steps[step][3]
    if isinstance(error, errors.OpError):
        if error.op is None:
            error.op = op
        return error
    if isinstance(error, MemoryError):
        return errors.ResourceExhaustedError(
            None, op, "OOM when computing op '%s' of type %s: %s" % (op.name, op.type, error))
    # Kernels and infer check the data themselves and raise OpErrors; anything else
    # escaping a kernel is a bug in tinygraph, not in the user's values.
    return errors.InternalError(
        None, op, "%s in op '%s' of type %s (a tinygraph bug; please report it): %s"
        % (type(error).__name__, op.name, op.type, error))


def _failed_step(run_steps, error):
    """The index of the step that raised ``error`` in ``run_steps``: its line (the
    traceback's line number inside the generated function) minus the ``def`` line; None
    when it was not raised on a step's line (a signal handler's exception, say)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code is not run_steps.__code__:
        tb = tb.tb_next
    step = None if tb is None else tb.tb_lineno - 2
    return step if step is not None and 0 <= step < len(run_steps.steps) else None
