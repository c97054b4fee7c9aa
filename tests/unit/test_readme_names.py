"""Every name that README.md's "What is supported" lists is a real implementation, and some
test uses it.

How the README is read (tests/readme_names.py): each backticked token of the section's
bullets that parses as a Python name, attribute chain or call (``softplus``,
``train.AdamOptimizer``, ``cond(pred, true_fn, ...)``) is a name; quoted strings
(``"dense/kernel:0"``), formulas and other prose in backticks are left alone, and tokens made
only of operators (``< <= **``, ``abs()``, ``t[...]``) are operators. A name resolves in the
bullet's namespace (``tf``, or the module of the last dotted name, so ``softplus`` after
"More ``tf.nn``" is ``tf.nn.softplus``), falling back to ``tf``; inside parentheses it may
also be a parameter or member of the name before the parentheses (``dropout`` (``rate``),
``tf.losses.Reduction``: ``NONE``). A call's argument names must be the function's
parameters.

What counts as real: the name is found by ``inspect.getattr_static`` (a module's or class's
own entry, so neither ``tinygraph.missing``'s NotImplementedYet stand-in nor any
``__getattr__`` can answer), and a function's body is more than a ``raise``.

What counts as used (a static check, not a trace of calls): the test files under tests/, and
the TF1 scripts they hold as string literals, are parsed; every attribute chain rooted at an
import of tinygraph or tensorflow (``tf.nn.softplus``, ``from tinygraph.nn import softplus``,
``from tensorflow.train import AdamOptimizer``) is followed to its object. A function, class
or module is used when some chain reaches that same object (``tf.math.abs`` uses ``tf.abs``:
one function); a constant when some chain reaches it through the same owner. A member of a
class (``Graph.finalize``, an optimizer's ``get_slot``) is used when some test accesses an
attribute of that name; an operator when some test's syntax tree has that operator node
(both weaker: the object behind them is not known statically). Parameters are only checked
against the signature; their owner's use is checked.
"""
import ast
import inspect
import textwrap

import pytest

import tinygraph as tf
from tests import readme_names as R
from tinygraph import missing

ENTRIES = R.readme_entries()
USES = R.collect_uses()


def test_the_section_is_read_whole():
    texts = {e.text for e in ENTRIES}
    assert len(ENTRIES) > 300
    for name in ["softplus", "train.AdamOptimizer", "use_nesterov", "clip_by_global_norm",
                 "tf.layers.dense", "string", "<=", "abs()", "reduce_logsumexp",
                 "random_shuffle", "softmax_cross_entropy_with_logits_v2"]:
        assert name in texts, name
    assert USES.files > 90  # the test files and the scripts inside them


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.kind != "operator"],
                         ids=lambda e: "%d:%s" % (e.bullet, e.text))
def test_each_name_is_a_real_implementation_that_a_test_uses(entry):
    assert not entry.problem, "README names %r, which tinygraph does not have (%s)" % (
        entry.text, entry.problem)
    assert not isinstance(entry.obj, missing.NotImplementedYetError)
    if inspect.isfunction(entry.obj):
        assert not _only_raises(entry.obj), "%s only raises" % entry.text
    unknown = [p for p in entry.params if p not in R.signature_params(entry.obj)]
    assert not unknown, "%s has no parameter %s" % (entry.text, unknown)
    assert R.is_used(entry, USES), "no test uses %s (README bullet %d)" % (entry.text,
                                                                          entry.bullet)


@pytest.mark.parametrize("spelling", sorted({e.path for e in ENTRIES
                                             if e.kind == "operator"}))
def test_each_operator_is_tinygraphs_own_and_a_test_uses_it(spelling):
    for cls in (tf.Tensor, tf.Variable):
        for method in R.OPERATORS[spelling]:
            assert getattr(cls, method) is not getattr(object, method, None), (cls, method)
            assert any(method in vars(k) for k in cls.__mro__[:-1]), (cls, method)
    assert spelling in USES.operators


def test_equality_stays_identity_as_in_tf1():
    a, b = tf.constant(1.0), tf.constant(1.0)
    assert (a == a) is True and (a == b) is False
    assert {a: 1, b: 2}[a] == 1


def _only_raises(function):
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return False
    body = tree.body[0].body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return len(body) == 1 and isinstance(body[0], ast.Raise)


# -- the checker catches what it is for -------------------------------------------------------
def _entries_of(tmp_path, bullet):
    readme = tmp_path / "README.md"
    readme.write_text("## What is supported\n\n- %s\n\n## Next\n" % bullet)
    return R.readme_entries(readme)


def test_a_missing_name_a_catch_all_answers_is_reported(tmp_path):
    (entry,) = _entries_of(tmp_path, "More `tf.nn`: `conv2d`.")[1:]
    assert entry.problem == "not found"
    assert tf.nn.__getattr__  # the catch-all exists, yet the checker does not ask it


def test_names_resolve_in_their_bullets_namespace(tmp_path):
    entries = _entries_of(tmp_path, "`tf.nn.relu`, `softplus`, `train.MomentumOptimizer` "
                                    "(`use_nesterov`, `get_slot`), `tf.losses.Reduction` "
                                    "(`NONE`), `\"dense/kernel:0\"`, `x[:, i]`, `< **`")
    got = [(e.text, e.kind, e.obj) for e in entries]
    assert got[:4] == [("tf.nn.relu", "name", tf.nn.relu), ("softplus", "name", tf.nn.softplus),
                       ("train.MomentumOptimizer", "name", tf.train.MomentumOptimizer),
                       ("use_nesterov", "param", tf.train.MomentumOptimizer)]
    assert got[4][:2] == ("get_slot", "member")
    assert got[6][:2] == ("NONE", "member") and got[6][2] == tf.losses.Reduction.NONE
    assert [e.path for e in entries[7:]] == ["[]", "<", "**"]


def test_an_unused_name_is_reported():
    entry = R.Entry("fake", 0, path="fake", obj=object(), owner=tf)
    assert not R.is_used(entry, USES)
    assert R.is_used(R.Entry("softplus", 0, path="softplus", obj=tf.nn.softplus,
                             owner=tf.nn), USES)
