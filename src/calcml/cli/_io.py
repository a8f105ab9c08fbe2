"""CLI plumbing: argument parsing helpers, error handling, rich / JSON output."""
from __future__ import annotations

import functools
import json
import math
import re
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


def _message(e: BaseException) -> str:
    """The one line shown for an error (CLI wording where the library's names an API)."""
    from calcml.errors import TimeoutError as CalcmlTimeout

    if isinstance(e, OSError) and getattr(e, "strerror", None):
        where = e.filename if e.filename is not None else ""
        return f"{where}: {e.strerror}" if where else e.strerror
    if isinstance(e, UnicodeDecodeError):
        return f"not a text file ({e.reason} at byte {e.start})"
    if isinstance(e, MemoryError):
        return ("not enough memory for this problem" + (f" ({_one_line(e)})" if str(e) else "")
                + "; make it smaller")
    text = _one_line(e)
    if isinstance(e, CalcmlTimeout):   # the library's advice names its timeout= argument
        text = re.sub(r";? ?pass a larger timeout=.*?(, or|$)", r"; try", text).rstrip(";")
        text = text.replace("; try simplify", "; try simplifying")
    return text


def guard(fn: Callable) -> Callable:
    """Turn calcml errors and bad input into one red line and exit 2 (1 for failed checks).

    Warnings raised while the command runs are not printed as Python warnings (file, line
    and source text); on success each distinct one is shown as a single ``warning:`` line
    (NumPy's floating-point RuntimeWarnings, e.g. an overflow that the output already
    shows as inf, are dropped). ``CALCML_DEBUG=1`` shows tracebacks and raw warnings.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import os
        import warnings

        from calcml.errors import CalcmlError

        debug = bool(os.environ.get("CALCML_DEBUG"))
        caught: list = []
        try:
            with warnings.catch_warnings(record=not debug) as rec:
                if not debug:
                    warnings.simplefilter("always")
                    caught = rec
                out = fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except CheckFailed as e:
            console(True).print(f"[bold red]check failed:[/] {_escape(_one_line(e))}")
            raise typer.Exit(CHECK_FAILED) from None
        except (CalcmlError, InputError, ValueError, TypeError, ZeroDivisionError,
                OverflowError, OSError, MemoryError, RecursionError) as e:
            if debug:
                raise
            console(True).print(f"[bold red]error:[/] {_escape(_message(e))}")
            raise typer.Exit(BAD_INPUT) from None
        except Exception as e:  # a bug, not bad input: still one line unless debugging
            if debug:
                raise
            console(True).print(f"[bold red]error:[/] internal error {type(e).__name__}: "
                                f"{_escape(_one_line(e))} (set CALCML_DEBUG=1 for the "
                                "traceback, and please report it)")
            raise typer.Exit(BAD_INPUT) from None
        _show_warnings(caught)
        return out

    return wrapper


def _show_warnings(caught: list) -> None:
    seen = []
    for w in caught:
        if issubclass(w.category, RuntimeWarning) and "encountered in" in str(w.message):
            continue   # NumPy floating-point noise: the values themselves say inf/nan
        text = " ".join(str(w.message).split())
        if text and text not in seen:
            seen.append(text)
    for text in seen:
        console(True).print(f"[yellow]warning:[/] {_escape(text)}")


def _escape(s: str) -> str:
    from rich.markup import escape

    return escape(s)


# ---------------------------------------------------------------------------- parsing
def number(text: str, where: str) -> float:
    """A number from text: ``2``, ``-1.5e3``, ``pi/2``, ``sqrt(2)`` (safe parser)."""
    t = text.strip()
    if not t:
        raise InputError(f"{where}: a number is missing")
    try:
        v = float(t)
    except ValueError:
        pass
    else:
        if not math.isfinite(v):
            raise InputError(f"{where}: {t!r} is not a finite number")
        return v
    from calcml.sym import parse

    try:
        e = parse(t)
    except Exception as exc:
        raise InputError(f"{where}: {t!r} is not a number ({_one_line(exc)})") from None
    if getattr(e, "free_symbols", None):
        raise InputError(f"{where}: {t!r} is not a number (it has variables)")
    try:
        v = complex(e.evalf())
    except (TypeError, ValueError):
        raise InputError(f"{where}: {t!r} is not a number") from None
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
        if name in out:
            raise InputError(f"{where}: {name} is given twice")
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
                         f"(e.g. {where} {','.join(f'{n}=1' for n in names)})")
    if extra:
        raise InputError(f"{where}: {', '.join(extra)} is not a variable of the expression "
                         f"(its variables: {', '.join(names) or 'none'})")
    return [at[n] for n in names]


def read_csv(path: str) -> tuple[Any, Any]:
    """Features and labels from a CSV file: the last column is the label; a header row
    (a non-numeric first row) is skipped, as are blank lines and ``#`` comments."""
    import csv

    import numpy as np

    rows: list[list[float]] = []
    first = True
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            for i, row in enumerate(csv.reader(fh)):
                row = [c.strip() for c in row]
                if not row or all(c == "" for c in row) or row[0].startswith("#"):
                    continue
                try:
                    vals = [float(c) for c in row]
                except ValueError:
                    if first:
                        first = False
                        continue  # header
                    raise InputError(f"{path}: line {i + 1} has a value that is not a "
                                     f"number: {','.join(row)[:60]}") from None
                first = False
                bad = [c for c, v in zip(row, vals) if not math.isfinite(v)]
                if bad:
                    raise InputError(f"{path}: line {i + 1} has a value that is not a "
                                     f"finite number: {bad[0]}")
                rows.append(vals)
    except csv.Error as e:
        raise InputError(f"{path}: not a readable CSV file ({e})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text CSV file (it is not UTF-8 text)") from None
    if not rows:
        raise InputError(f"{path}: no data rows (expected numbers, last column the label)")
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise InputError(f"{path}: rows have different numbers of columns "
                         f"({', '.join(map(str, sorted(widths)))})")
    data = np.array(rows, dtype=float)
    if data.shape[1] < 2:
        raise InputError(f"{path}: need at least one feature column and a label column")
    with np.errstate(over="ignore", invalid="ignore"):
        if not np.all(np.isfinite(np.einsum("ij,ij->i", data, data))):
            raise InputError(f"{path}: values up to {np.abs(data).max():.3g} are too large "
                             "(their squares overflow); scale the data")
    y = data[:, -1]
    if np.all(y == np.round(y)):
        y = y.astype(int)
    return data[:, :-1], y


def class_labels(y: Any, path: str, command: str, regress_hint: bool = False) -> None:
    """Refuse labels that cannot be classes (non-integers, a single class)."""
    import numpy as np

    if y.dtype.kind == "f":
        bad = next(v for v in y if v != round(v))
        hint = "; add --regress for a numeric target" if regress_hint else ""
        raise InputError(f"{path}: the last column holds class labels, which must be "
                         f"integers such as 0/1 or -1/1, got {bad:g}{hint}")
    classes = np.unique(y)
    if classes.size < 2:
        raise InputError(f"{path}: {command} needs at least two classes in the last column, "
                         f"found only {classes[0]}")


_OPTION_OF = {"C": "-C", "learning_rate": "--lr", "random_state": "--seed",
              "hidden_layer_sizes": "--hidden", "max_iter": "--max-iter"}


def model_error(e: Exception) -> Exception:
    """scikit-learn's "The 'kernel' parameter of SVC must be ..." worded for the CLI."""
    m = re.match(r"The '(\w+)' parameter of \w+ must be (.*?)\.? Got (.*) instead\.?$",
                 " ".join(str(e).split()))
    if not m:
        return e
    name, must, got = m.groups()
    opt = _OPTION_OF.get(name, "--" + name.replace("_", "-"))
    return InputError(f"{opt} must be {must}; got {got}")


def time_limit(seconds: float | None, what: str):
    """Raise InputError if the block runs longer than ``seconds`` (POSIX main thread; a
    no-op elsewhere)."""
    import contextlib
    import signal
    import threading

    if (not seconds or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def run():
        def expire(signum, frame):
            raise InputError(f"{what} did not finish within {seconds:g} s (raise --timeout, "
                             "or check for very large or very different rates)")

        old = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)

    return run()


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
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f if math.isfinite(f) else str(f)


def emit_json(data: dict) -> None:
    """JSON on stdout; non-finite floats are the strings "inf", "-inf", "nan" (the JSON
    spec has no NaN or Infinity)."""
    sys.stdout.write(json.dumps(to_jsonable(data), indent=2, allow_nan=False) + "\n")


def table(title: str, columns: list[str], rows: list[list[Any]]):
    from rich.table import Table

    t = Table(title=_escape(title) if title else None, title_justify="left",
              header_style="bold cyan")
    for c in columns:
        t.add_column(_escape(c))
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


def check_plot(path: str | None) -> None:
    """Refuse a --plot file name that cannot be written, before any long computation."""
    import os

    if path is None:
        return
    if not path.strip():
        raise InputError("--plot: give a file name such as figure.png")
    if os.path.isdir(path):
        raise InputError(f"--plot: {path} is a folder; give a file name such as "
                         f"{os.path.join(path, 'figure.png')}")
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    if ext not in formats:
        what = f"unknown file type .{ext}" if ext else "the file name has no extension"
        raise InputError(f"--plot: {what}; use .png, .pdf or .svg")
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise InputError(f"--plot: folder {d} does not exist")


def save_figure(fig: Any, path: str) -> str:
    """Save a matplotlib Figure to ``path`` (format from the extension)."""
    import matplotlib.pyplot as plt

    check_plot(path)
    try:
        fig.savefig(path, dpi=110)
    except ValueError as e:
        raise InputError(f"--plot: cannot write {path}: {_one_line(e)} "
                         "(use .png, .pdf or .svg)") from None
    finally:
        plt.close(fig)
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


# ---------------------------------------------------------------------------- usage errors
class OneLineErrorsGroup(typer.core.TyperGroup):
    """typer's command group, with click's usage errors (missing or unknown options, bad
    option values) shown as one red ``error:`` line on stderr, exit status 2, instead of
    a usage text and a boxed panel. ``calcml`` with no arguments shows the help."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        from typer._click.exceptions import ClickException, NoArgsIsHelpError, NoSuchOption

        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except NoArgsIsHelpError as e:
            typer.echo(e.ctx.get_help())
            sys.exit(0)
        except ClickException as e:
            msg = " ".join(e.format_message().split())
            name = getattr(e, "option_name", "") or ""
            if isinstance(e, NoSuchOption) and re.match(r"-[^-]", name):
                msg += (" (an expression that starts with '-' is read as an option: write "
                        "it in parentheses, e.g. \"(-x^2)\")")
            ctx = getattr(e, "ctx", None)
            if ctx is not None:
                msg += f" (see {ctx.command_path} --help)"
            console(True).print(f"[bold red]error:[/] {_escape(msg)}")
            sys.exit(getattr(e, "exit_code", BAD_INPUT) or BAD_INPUT)
        except typer.Abort:
            console(True).print("[bold red]error:[/] aborted")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)
