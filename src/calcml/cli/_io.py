"""CLI plumbing: argument parsing helpers, error handling, rich / JSON output."""
from __future__ import annotations

import functools
import json
import math
import sys
from typing import Any, Callable

import typer

#: exit status for bad input (a clear red line, no traceback) and for a failed check.
BAD_INPUT = 2
CHECK_FAILED = 1


class InputError(Exception):
    """Bad command-line input (exit status 2)."""


class CheckFailed(Exception):
    """A check the command ran did not pass (exit status 1)."""


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _one_line(e: BaseException) -> str:
    from calcml.errors import ParseError

    text, position = getattr(e, "text", None), getattr(e, "position", None)
    if isinstance(e, ParseError) and isinstance(text, str) and position is not None:
        # the caret display needs two lines; one line says where instead
        start = text.rfind("\n", 0, position) + 1
        end = len(text) if text.find("\n", position) < 0 else text.find("\n", position)
        line = text[start:end]
        shown = line if len(line) <= 60 else line[:57] + "..."
        rest = text[position:min(position + 20, end)]
        here = f"at {rest!r}" if rest else "at the end"
        where = f" at position {position}" if e.say_position else ""
        return " ".join(f"{e.reason}{where} (in {shown!r}, {here})".split())
    text = str(e).strip() or type(e).__name__
    return " ".join(text.split())


def guard(fn: Callable) -> Callable:
    """Turn calcml errors and bad input into one red line and exit 2 (1 for failed checks)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from calcml.errors import CalcmlError

        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except CheckFailed as e:
            console(True).print(f"[bold red]check failed:[/] {_escape(_one_line(e))}")
            raise typer.Exit(CHECK_FAILED) from None
        except (CalcmlError, InputError, ValueError, TypeError, ZeroDivisionError,
                OverflowError, FileNotFoundError, IsADirectoryError, PermissionError) as e:
            console(True).print(f"[bold red]error:[/] {_escape(_one_line(e))}")
            raise typer.Exit(BAD_INPUT) from None
        except Exception as e:  # a bug, not bad input: still one line unless debugging
            import os
            if os.environ.get("CALCML_DEBUG"):
                raise
            console(True).print(f"[bold red]error:[/] internal error {type(e).__name__}: "
                                f"{_escape(_one_line(e))} (set CALCML_DEBUG=1 for the "
                                "traceback, and please report it)")
            raise typer.Exit(BAD_INPUT) from None

    return wrapper


def _escape(s: str) -> str:
    from rich.markup import escape

    return escape(s)


# ---------------------------------------------------------------------------- parsing
def number(text: str, where: str) -> float:
    """A number from text: ``2``, ``-1.5e3``, ``pi/2``, ``sqrt(2)`` (safe parser)."""
    t = text.strip()
    try:
        return float(t)
    except ValueError:
        pass
    from calcml.sym import parse

    try:
        e = parse(t)
    except Exception as exc:
        raise InputError(f"{where}: {t!r} is not a number ({_one_line(exc)})") from None
    if getattr(e, "free_symbols", None):
        raise InputError(f"{where}: {t!r} is not a number (it has variables)")
    v = complex(e.evalf())
    if v.imag != 0 or not math.isfinite(v.real):
        raise InputError(f"{where}: {t!r} is not a finite real number")
    return v.real


def assignments(text: str | None, where: str, exact: bool = False) -> dict:
    """``"x=2,y=3"`` -> ``{"x": 2.0, "y": 3.0}`` (``exact``: the checked texts, e.g.
    ``"pi/2"``, for SymPy's exact values)."""
    if text is None:
        return {}
    out: dict[str, float] = {}
    for part in [p for p in text.replace(";", ",").split(",") if p.strip()]:
        if "=" not in part:
            raise InputError(f"{where}: expected name=value pairs such as x=2,y=3, got "
                             f"{part.strip()!r}")
        name, value = (s.strip() for s in part.split("=", 1))
        if not name.isidentifier():
            raise InputError(f"{where}: {name!r} is not a variable name")
        v = number(value, f"{where} {name}")
        out[name] = value if exact else v
    if not out:
        raise InputError(f"{where}: give name=value pairs such as x=2,y=3")
    return out


def numbers(text: str | None, where: str) -> list[float]:
    """``"8,8"`` -> ``[8.0, 8.0]``."""
    if text is None:
        return []
    vals = [number(p, where) for p in text.split(",") if p.strip()]
    if not vals:
        raise InputError(f"{where}: give comma-separated numbers")
    return vals


def variables(expr: Any) -> list[str]:
    """Free symbols of a parsed expression, sorted by name (calcml's convention)."""
    return sorted(s.name for s in expr.free_symbols)


def point_for(expr: Any, at: dict[str, float], where: str = "--at",
              names: list[str] | None = None) -> list[float]:
    """The point ``at`` in the order of ``names`` (default: the expression's variables)."""
    names = names if names is not None else variables(expr)
    missing = [n for n in names if n not in at]
    extra = [n for n in at if n not in names]
    if missing:
        raise InputError(f"{where}: give a value for {', '.join(missing)} "
                         f"(e.g. --at {','.join(f'{n}=1' for n in names)})")
    if extra:
        raise InputError(f"{where}: {', '.join(extra)} is not a variable of the expression "
                         f"(its variables: {', '.join(names) or 'none'})")
    return [at[n] for n in names]


def read_csv(path: str) -> tuple[Any, Any]:
    """Features and labels from a CSV file: the last column is the label; a header row
    (any non-numeric first row) is skipped."""
    import csv

    import numpy as np

    rows = []
    with open(path, newline="") as fh:
        for i, row in enumerate(csv.reader(fh)):
            row = [c.strip() for c in row]
            if not row or all(c == "" for c in row) or row[0].startswith("#"):
                continue
            try:
                rows.append([float(c) for c in row])
            except ValueError:
                if i == 0 or not rows:
                    continue  # header
                raise InputError(f"{path}: line {i + 1} has a value that is not a number: "
                                 f"{','.join(row)}") from None
    if not rows:
        raise InputError(f"{path}: no data rows (expected numbers, last column the label)")
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise InputError(f"{path}: rows have different numbers of columns {sorted(widths)}")
    data = np.array(rows, dtype=float)
    if data.shape[1] < 2:
        raise InputError(f"{path}: need at least one feature column and a label column")
    y = data[:, -1]
    if np.all(y == np.round(y)):
        y = y.astype(int)
    return data[:, :-1], y


# ---------------------------------------------------------------------------- output
def to_jsonable(v: Any) -> Any:
    """NumPy, SymPy and plain values to JSON-ready values (exact SymPy values as text)."""
    import numpy as np

    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return to_jsonable(v.tolist())
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if math.isfinite(f) else str(f)
    if v is None or isinstance(v, str):
        return v
    if hasattr(v, "free_symbols"):   # SymPy
        return str(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)


def emit_json(data: dict) -> None:
    sys.stdout.write(json.dumps(to_jsonable(data), indent=2) + "\n")


def table(title: str, columns: list[str], rows: list[list[Any]]):
    from rich.table import Table

    t = Table(title=title, title_justify="left", header_style="bold cyan")
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*[_escape(str(x)) for x in r])
    return t


def fmt(v: Any) -> str:
    """Short text for a number, an array or an exact value."""
    import numpy as np

    if isinstance(v, np.ndarray):
        return np.array2string(v, precision=10, separator=", ")
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.12g}"
    return str(v)


def save_figure(fig: Any, path: str) -> str:
    """Save a matplotlib Figure to ``path`` (format from the extension)."""
    import os

    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise InputError(f"--plot: folder {d} does not exist")
    try:
        fig.savefig(path, dpi=110)
    except ValueError as e:
        raise InputError(f"--plot: cannot write {path}: {_one_line(e)} "
                         "(use .png, .pdf or .svg)") from None
    return path


def progress(description: str, enabled: bool = True):
    """A rich spinner/progress bar on stderr for long work (a no-op when disabled)."""
    import contextlib

    con = console(True)
    if not enabled or not con.is_terminal:   # nothing on stderr when it is a pipe/file
        return contextlib.nullcontext()
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    p = Progress(SpinnerColumn(), TextColumn(description), TimeElapsedColumn(),
                 console=con, transient=True)

    @contextlib.contextmanager
    def run():
        with p:
            p.add_task(description, total=None)
            yield p

    return run()
