"""Exceptions raised by calcml.

Every failure that comes from the user's input is one of these, with a message that
says what went wrong, where, and how to fix it. ``ValueError``/``TypeError`` subclasses
let code that already catches the built-in exceptions keep working.

>>> import calcml as cm
>>> issubclass(cm.errors.ParseError, cm.errors.CalcmlError)
True
"""
from __future__ import annotations

__all__ = [
    "CalcmlError",
    "ParseError",
    "UnsupportedOperationError",
    "NonDifferentiableError",
    "GradientCheckError",
    "DimensionError",
    "ConvergenceError",
    "TimeoutError",
    "InvalidInputError",
    "InvalidFunctionError",
    "NonFiniteError",
]


class CalcmlError(Exception):
    """Base class of every error calcml raises on purpose."""


class ParseError(CalcmlError, ValueError):
    """Expression text that cannot be parsed; the message shows the text and a caret.

    Parameters
    ----------
    message : str
        What is wrong.
    text : str, optional
        The text being parsed.
    position : int, optional
        0-based offset of the offending character in ``text``.
    """

    def __init__(self, message: str, text: str | None = None, position: int | None = None,
                 *, say_position: bool = True):
        self.text = text
        self.position = position
        self.reason = message
        self.say_position = say_position
        if text is not None and position is not None:
            # say_position=False: the message already says where (e.g. line and column)
            where = f" at position {position}" if say_position else ""
            message = f"{message}{where}\n{_caret(text, position)}"
        super().__init__(message)


def _caret(text: str, position: int, width: int = 72) -> str:
    """Show a window of ``text`` around ``position`` with a caret under it."""
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line = text[line_start: len(text) if line_end < 0 else line_end]
    col = position - line_start
    lo = max(0, col - width // 2)
    shown = line[lo: lo + width]
    prefix = "..." if lo > 0 else ""
    suffix = "..." if lo + width < len(line) else ""
    return f"  {prefix}{shown}{suffix}\n  {' ' * (len(prefix) + col - lo)}^"


class UnsupportedOperationError(CalcmlError, TypeError):
    """A NumPy function (or operation) with no derivative rule."""


class NonDifferentiableError(CalcmlError):
    """An operation would silently drop the trace (``float(x)``, ``np.asarray(x)``...).

    Deliberately not a ``TypeError``: NumPy catches those and falls back to treating the
    value as a sequence, which would hide this message.
    """


class GradientCheckError(CalcmlError, AssertionError):
    """Analytic and numeric derivatives disagree; the message holds the table."""


class DimensionError(CalcmlError, ValueError):
    """Shapes that cannot work together."""


class ConvergenceError(CalcmlError, RuntimeError):
    """An iterative method could not reach the requested accuracy."""


class TimeoutError(CalcmlError):  # noqa: A001 - deliberately shadows the builtin here
    """A computation (e.g. a SymPy call) ran out of its time limit."""


class InvalidInputError(CalcmlError, ValueError):
    """An argument has a value that cannot work (``h <= 0``, an unknown method, NaN in x)."""


class InvalidFunctionError(CalcmlError, TypeError):
    """``f`` is not something calcml can call or parse (a callable, expression text...)."""


class NonFiniteError(CalcmlError, ValueError):
    """``f`` returned NaN or infinity where a finite value was needed."""
