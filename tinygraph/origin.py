"""Where the user created an op: recorded at creation, quoted by run-time errors."""
import linecache
import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_frames(limit=8):
    """(filename, lineno, function) of the caller's frames outside tinygraph, outermost first."""
    frames = []
    frame = sys._getframe(1)
    while frame is not None and len(frames) < limit:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR):
            frames.append((filename, frame.f_lineno, frame.f_code.co_name))
        frame = frame.f_back
    return frames[::-1]


def describe_origin(op):
    """'Caused by op ..., defined at:' and the user's last lines, for error messages."""
    lines = ["Caused by op %r, defined at:" % op.name]
    for filename, lineno, function in op.traceback[-3:]:
        lines.append('  File "%s", line %d, in %s' % (filename, lineno, function))
        source = linecache.getline(filename, lineno).strip()
        if source:
            lines.append("    " + source)
    if len(lines) == 1:
        lines.append("  (no user frame recorded)")
    return "\n".join(lines)
