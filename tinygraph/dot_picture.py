"""A graph's DOT text drawn with Graphviz: ``DotPicture`` (what ``visualize.show`` returns)
and ``GraphvizNotFoundError``. Only drawing needs the optional ``graphviz`` package and the
``dot`` program (``pip install "tinygraph[viz]"`` plus the system package graphviz)."""
from pathlib import Path

__all__ = ["DotPicture", "GraphvizNotFoundError"]


class GraphvizNotFoundError(RuntimeError):
    """Drawing needs the ``graphviz`` Python package and Graphviz's ``dot`` program."""


_INSTALL = ('pip install "tinygraph[viz]" and install the system package graphviz '
            '(apt install graphviz, brew install graphviz or conda install graphviz)')
_FORMATS = ("svg", "png", "pdf")


def _pipe(dot, fmt):
    """``dot`` rendered to ``fmt`` (bytes).

    Raises:
        GraphvizNotFoundError: the graphviz package or the dot program is missing.
    """
    try:
        import graphviz  # optional: only drawing needs it (tinygraph[viz])
    except ImportError:
        raise GraphvizNotFoundError(
            "Drawing a graph needs the graphviz Python package and the dot program: "
            + _INSTALL + ".") from None
    try:
        return graphviz.Source(dot).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(
            "Drawing a graph needs Graphviz's dot program, which is not on your PATH: "
            + _INSTALL + ". to_dot() gives the DOT text without it.") from None


class DotPicture:
    """A drawn graph for notebooks: SVG where Graphviz is installed, else its DOT text.

    ``dot`` holds the DOT text; ``str()`` and ``repr()`` give it too; ``save(path)``
    renders it like ``render``.
    """

    def __init__(self, dot):
        self.dot = dot
        self._svg = None
        self._missing = None  # the GraphvizNotFoundError message, once we know

    def _repr_svg_(self):
        if self._svg is None and self._missing is None:
            try:
                self._svg = _pipe(self.dot, "svg").decode("utf-8")
            except GraphvizNotFoundError as e:
                self._missing = str(e)
        return self._svg

    def _repr_markdown_(self):
        if self._repr_svg_() is not None:
            return None  # the notebook shows the picture
        return "%s\n\n```dot\n%s```\n" % (self._missing, self.dot)

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.dot)

    def save(self, path):
        """Write the picture to ``path`` (.svg, .png, .pdf or .dot); returns the Path."""
        path = Path(path)
        fmt = path.suffix.lower().lstrip(".")
        if fmt in ("dot", "gv"):
            path.write_text(self.dot, encoding="utf-8")
        elif fmt in _FORMATS:
            path.write_bytes(_pipe(self.dot, fmt))
        else:
            raise ValueError("save: cannot tell the format from %r; use a file name ending "
                             "in .svg, .png, .pdf or .dot" % str(path))
        return path

    def __str__(self):
        return self.dot

    __repr__ = __str__
