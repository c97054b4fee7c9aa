"""The check before the first write of a run lands (plan.py's order rule): one step that
runs every ready write's check, so that a run applies all of those writes or none; a write
whose inputs come later is checked just before it runs (``checking``). When fused writes
follow the check, ``check_then_write`` makes them one step with it, each write calling the
kernel its check found.
"""
import functools

from . import errors

__all__ = ["pre_write_check", "check_then_write", "bind_check", "checking"]


def pre_write_check(writes, slots, discard):
    """One step that runs each write's check before the first write lands (all or none).
    What it returns (the calls that fused writes' checks found) goes to the ``discard``
    slot, unless ``check_then_write`` hands it to the writes."""
    ins, spans, checks = [], [], []
    for op in writes:
        start = len(ins)
        ins.extend(slots[t] for t in op.inputs)
        spans.append((start, len(ins)))
        checks.append(bind_check(op))

    def check_writes(*values):
        calls = []  # a fused write's check returns the kernel's call it found (fused_group.py)
        for op, check, (start, end) in zip(writes, checks, spans):
            try:
                calls.append(check(*values[start:end]))
            except errors.OpError as e:
                if e.op is None:
                    e.op = op
                raise
        return calls

    check_writes.writes, check_writes.spans = writes, spans
    return (check_writes, tuple(ins), discard, writes[0])


def check_then_write(steps):
    """The steps with the pre-write check and the fused writes right after it made one step
    (when there are such writes): each write then calls the kernel its check found, instead
    of looking it up again. Only the running program is built from these; describe and traced
    runs show the steps apart."""
    at = next((i for i, step in enumerate(steps) if getattr(step[0], "writes", None) is not None),
              None)
    if at is None:
        return steps
    check_writes, ins, _, first = steps[at]
    groups, outs = [], []
    for (start, end), op, step in zip(check_writes.spans, check_writes.writes, steps[at + 1:]):
        if step[3] is not op or not hasattr(op, "ops") or step[1] != ins[start:end] or \
                step[2].__class__ is not int:
            break  # not the next checked write, or not a fused one with one output
        groups.append((op, start, end))
        outs.append(step[2])
    if not groups:
        return steps

    def check_and_write(*values):
        calls = check_writes(*values)
        results = []
        for (group, start, end), call in zip(groups, calls):
            args = values[start:end]
            try:
                results.append(group.run(*args) if call is None else call(args))
            except errors.OpError as e:
                if e.op is None:
                    e.op = group
                raise
        return results

    check_and_write.writes = check_writes.writes
    merged = (check_and_write, ins, tuple(outs), first)
    return steps[:at] + [merged] + steps[at + 1 + len(groups):]


def bind_check(op):
    check = op._op_def.check
    return functools.partial(check, **op.attrs) if op.attrs else check


def checking(check, kernel):
    def checked_write(*values):
        check(*values)
        return kernel(*values)
    return checked_write


