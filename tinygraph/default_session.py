"""The stack of default sessions, used by ``Tensor.eval()`` and ``Operation.run()``.

It lives apart from session.py so that graph.py can reach it without importing the
Session (which imports graph.py).
"""
_session_stack = []


def get_default_session():
    """The innermost session entered with ``with sess:`` / ``sess.as_default()``, or None."""
    return _session_stack[-1] if _session_stack else None


def _session_for(graph, session, action, mismatch):
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is "
                             "registered. Use `with sess.as_default()` or pass an explicit "
                             "session to `eval(session=sess)`" if action == "evaluate tensor"
                             else "Cannot execute operation using `run()`: No default session "
                             "is registered. Use `with sess.as_default():` or pass an "
                             "explicit session to `run(session=sess)`")
    if session.graph is not graph:
        raise ValueError("Cannot use the given session to %s: %s" % (action, mismatch))
    return session
