"""The tour's machinery: a registry of chapters, recorded checks, figures and timing.

A *chapter* is a function ``fn(ctx)`` registered with :func:`chapter`. It computes with
calcml, writes prose, code and tables into its :class:`Context`, saves figures and
records :class:`Check` s. A check is a claim that can fail: a computed value against a
known answer (the seed's stated answer, a closed form, another method). A check that
is *meant to catch a defect of the seed's code* (``catches_bug=True``) passes when the
defect is detected, so that a tour that stops detecting it fails.

>>> import numpy as np
>>> from calcml.tour.framework import Chapter, run_chapter
>>> def demo(ctx):
...     ctx.close("2 + 2", 2 + 2, 4)
...     ctx.check("pi is rational", False, "it is not")
>>> res = run_chapter(Chapter("demo", "A demo", "none", demo), out=None)
>>> res.n_passed, res.n_checks, res.passed
(1, 2, False)
"""
from __future__ import annotations

import html
import importlib
import os
import re
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

from calcml.errors import CalcmlError

__all__ = ["Check", "Chapter", "ChapterResult", "Context", "TourReport", "chapter",
           "registry", "select", "run_chapter"]


# --------------------------------------------------------------------------- records
@dataclass
class Check:
    """One recorded claim.

    Attributes
    ----------
    name : str
        What is claimed, in words.
    passed : bool
    detail : str
        The numbers behind the verdict (computed, expected, difference).
    catches_bug : bool
        True when the check is meant to detect a defect of the seed's code; it passes
        when the defect is detected.
    """

    name: str
    passed: bool
    detail: str = ""
    catches_bug: bool = False

    def to_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "detail": self.detail,
                "catches_bug": self.catches_bug}


@dataclass
class SavedFigure:
    """A figure written beside the report: ``path`` relative to the output folder."""

    path: str
    caption: str


@dataclass
class ChapterResult:
    """What one chapter computed and checked.

    Attributes
    ----------
    key, title, seed : str
    checks : list of Check
    figures : list of SavedFigure
    blocks : list of (str, Any)
        The chapter's content in order: ``("text", html)``, ``("code", source)``,
        ``("table", (header, rows))``, ``("figure", SavedFigure)``, ``("check", Check)``.
    seconds : float
        Wall time of the chapter.
    error : str or None
        The traceback when the chapter raised (it then fails).
    missing : list of str
        Parts of calcml the chapter wanted but that are not there (shown, never faked).
    """

    key: str
    title: str
    seed: str
    checks: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    blocks: list = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    missing: list = field(default_factory=list)

    @property
    def n_checks(self) -> int:
        return len(self.checks)

    @property
    def n_passed(self) -> int:
        return sum(c.passed for c in self.checks)

    @property
    def passed(self) -> bool:
        """No error, at least one check, and every check passed."""
        return self.error is None and self.n_checks > 0 and self.n_passed == self.n_checks

    def to_dict(self) -> dict:
        return {"key": self.key, "title": self.title, "seed": self.seed,
                "passed": self.passed, "n_checks": self.n_checks, "n_passed": self.n_passed,
                "seconds": self.seconds, "error": self.error, "missing": list(self.missing),
                "figures": [f.path for f in self.figures],
                "checks": [c.to_dict() for c in self.checks]}


@dataclass
class TourReport:
    """Result of :func:`calcml.tour.run`.

    Attributes
    ----------
    chapters : list of ChapterResult
    out : str or None
        The output folder (``index.html`` inside), None when nothing was written.
    seconds : float
    fast : bool
    """

    chapters: list
    out: str | None = None
    seconds: float = 0.0
    fast: bool = False

    @property
    def passed(self) -> bool:
        """Every chapter passed (and there was at least one)."""
        return bool(self.chapters) and all(c.passed for c in self.chapters)

    @property
    def n_checks(self) -> int:
        return sum(c.n_checks for c in self.chapters)

    @property
    def n_passed(self) -> int:
        return sum(c.n_passed for c in self.chapters)

    @property
    def index(self) -> str | None:
        """Path of ``index.html``."""
        return None if self.out is None else os.path.join(self.out, "index.html")

    def failures(self) -> list[tuple[str, str]]:
        """``(chapter key, check name or error)`` of everything that failed."""
        bad = []
        for c in self.chapters:
            if c.error is not None:
                bad.append((c.key, "chapter raised: " + c.error.strip().splitlines()[-1]))
            if c.error is None and c.n_checks == 0:
                bad.append((c.key, "no checks were recorded"))
            bad.extend((c.key, k.name) for k in c.checks if not k.passed)
        return bad

    def to_dict(self) -> dict:
        return {"passed": self.passed, "n_checks": self.n_checks, "n_passed": self.n_passed,
                "seconds": self.seconds, "fast": self.fast, "index": self.index,
                "chapters": [c.to_dict() for c in self.chapters]}

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return (f"TourReport({verdict}: {self.n_passed}/{self.n_checks} checks in "
                f"{len(self.chapters)} chapters, {self.seconds:.1f} s, index={self.index!r})")


# --------------------------------------------------------------------------- context
def _fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.10g}"
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        a = np.asarray(value)
        if a.dtype.kind in "fc":
            return np.array2string(a, precision=8, separator=", ", suppress_small=False,
                                   max_line_width=100, threshold=20)
    return str(value)


class Context:
    """What a chapter writes into (see the module docstring).

    Parameters
    ----------
    key : str
        The chapter's key (used in figure file names).
    out : str or None
        Output folder; figures go to ``out/figures/``. None: figures are not saved.
    fast : bool
        Fewer iterations and smaller figures (for tests).
    result : ChapterResult
        Filled as the chapter runs.
    """

    def __init__(self, key: str, out: str | None, fast: bool, result: ChapterResult):
        self.key = key
        self.out = out
        self.fast = fast
        self.result = result
        self.rng = np.random.default_rng(0)
        self.dpi = 55 if fast else 90

    # -- prose
    def text(self, text: str) -> None:
        """A paragraph; ``text`` is escaped, then `backticks` become code and **x** bold."""
        body = html.escape(text)
        body = re.sub(r"`([^`]+)`", r"<code>\1</code>", body)
        body = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", body)
        self.result.blocks.append(("text", body))

    def code(self, source: str, caption: str = "") -> None:
        """A block of code (``caption`` e.g. "seed 000, as printed")."""
        self.result.blocks.append(("code", (caption, source.strip("\n"))))

    def table(self, header: Iterable[str], rows: Iterable[Iterable[Any]],
              caption: str = "") -> None:
        """A table of values (numbers formatted with 10 significant digits)."""
        self.result.blocks.append(("table", (caption, [str(h) for h in header],
                                             [[_fmt(v) for v in row] for row in rows])))

    def missing(self, what: str) -> None:
        """Record that a part of calcml this chapter wants is not available (yet)."""
        self.result.missing.append(what)
        self.result.blocks.append(("missing", what))

    def optional(self, module: str, *names: str) -> Any:
        """Import ``module`` and check it has ``names``; None (recorded as missing) if not.

        Returns the module, so chapters can use parts of calcml still being written
        without faking anything when they are absent.
        """
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            self.missing(f"{module} cannot be imported ({exc})")
            return None
        absent = [n for n in names if not hasattr(mod, n)]
        if absent:
            self.missing(f"{module} has no {', '.join(absent)} yet")
            return None
        return mod

    # -- checks
    def check(self, name: str, condition: Any, detail: str = "", *,
              catches_bug: bool = False) -> bool:
        """Record a check; returns whether it passed."""
        passed = bool(condition)
        chk = Check(name, passed, detail, catches_bug)
        self.result.checks.append(chk)
        self.result.blocks.append(("check", chk))
        return passed

    def close(self, name: str, actual: Any, expected: Any, *, rtol: float = 1e-9,
              atol: float = 1e-12, catches_bug: bool = False) -> bool:
        """Check ``actual`` equals ``expected`` to ``atol + rtol * |expected|`` entrywise.

        With ``catches_bug=True`` the check passes when they *differ* (the seed's value
        ``actual`` is detected as wrong against the correct ``expected``).
        """
        a = np.asarray(actual, dtype=float)
        e = np.asarray(expected, dtype=float)
        if a.shape != e.shape and a.size != e.size:
            ok, diff = False, float("inf")
            detail = f"shape {a.shape} vs expected {e.shape}"
        else:
            a = a.reshape(e.shape)
            diff = float(np.max(np.abs(a - e))) if a.size else 0.0
            ok = bool(np.all(np.abs(a - e) <= atol + rtol * np.abs(e)))
            detail = (f"got {_fmt(a)}, expected {_fmt(e)}, max |difference| {diff:.3g} "
                      f"(tolerance {atol:g} + {rtol:g}·|expected|)")
        if catches_bug:
            detail = ("seed's value differs from the correct one, as it should: " if not ok
                      else "NOT detected — the seed's value matches the correct one: ") + detail
            return self.check(name, not ok, detail, catches_bug=True)
        return self.check(name, ok, detail)

    def raises(self, name: str, fn: Callable[[], Any], errors: tuple = (CalcmlError,), *,
               catches_bug: bool = True) -> bool:
        """Check that ``fn()`` raises one of ``errors`` (e.g. check_grad on a seed bug)."""
        try:
            value = fn()
        except errors as exc:
            lines = str(exc).strip().splitlines()
            msg = "\n".join(lines[:8]) + ("\n..." if len(lines) > 8 else "")
            return self.check(name, True, f"{type(exc).__name__}: {msg}",
                              catches_bug=catches_bug)
        return self.check(name, False, f"no error was raised; it returned {value!r}",
                          catches_bug=catches_bug)

    def does_not_compile(self, name: str, source: str) -> bool:
        """Check (a seed-bug check) that Python rejects ``source`` with a SyntaxError."""
        try:
            compile(source, f"<{self.key}>", "exec")
        except SyntaxError as exc:
            return self.check(name, True, f"SyntaxError: {exc.msg} (line {exc.lineno}: "
                              f"{(exc.text or '').strip()})", catches_bug=True)
        return self.check(name, False, "it compiled", catches_bug=True)

    # -- figures
    def new_figure(self, width: float = 6.0, height: float = 4.0, ncols: int = 1,
                   **subplot_kw: Any) -> tuple[Any, Any]:
        """A matplotlib ``Figure`` (no pyplot, no display) and its axes."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(1, ncols, subplot_kw=subplot_kw or None)
        return fig, axes

    def figure(self, fig: Any, name: str, caption: str) -> SavedFigure | None:
        """Save a matplotlib Figure as ``figures/<key>-<name>.png`` and show it."""
        if self.out is None:
            _close(fig)
            return None
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.key}-{name}") + ".png"
        rel = f"figures/{safe}"
        os.makedirs(os.path.join(self.out, "figures"), exist_ok=True)
        fig.savefig(os.path.join(self.out, rel), dpi=self.dpi, bbox_inches="tight")
        _close(fig)
        saved = SavedFigure(rel, caption)
        self.result.figures.append(saved)
        self.result.blocks.append(("figure", saved))
        return saved


def _close(fig: Any) -> None:
    import sys

    plt = sys.modules.get("matplotlib.pyplot")   # a Figure made without pyplot needs no closing
    if plt is not None:
        plt.close(fig)


# --------------------------------------------------------------------------- registry
@dataclass
class Chapter:
    """A registered chapter: ``fn(ctx)`` with its key, title and seed."""

    key: str
    title: str
    seed: str
    fn: Callable[[Context], None]
    summary: str = ""


_REGISTRY: dict[str, Chapter] = {}


def chapter(key: str, title: str, seed: str, summary: str = "") -> Callable:
    """Decorator registering ``fn(ctx)`` as a chapter (in definition order)."""
    def register(fn: Callable[[Context], None]) -> Callable[[Context], None]:
        if key in _REGISTRY and _REGISTRY[key].fn is not fn:
            raise ValueError(f"tour chapter {key!r} is registered twice")
        _REGISTRY[key] = Chapter(key, title, seed, fn, summary)
        return fn
    return register


def registry() -> list[Chapter]:
    """All chapters, in tour order (seed modules imported on first call)."""
    from calcml.tour import seed000, seed003, seed004  # noqa: F401  (they register)
    return sorted(_REGISTRY.values(), key=lambda c: (c.seed, c.key))


class UnknownChapterError(CalcmlError, ValueError):
    """A chapter name that matches no chapter."""


def select(chapters: Iterable[Any] | None) -> list[Chapter]:
    """Resolve chapter names (keys, key prefixes such as ``"004"``, or Chapter objects).

    Raises
    ------
    UnknownChapterError
        A name matches no chapter; the message lists the valid keys.
    """
    every = registry()
    if chapters is None:
        return every
    if isinstance(chapters, (str, Chapter)):
        chapters = [chapters]
    chosen: list[Chapter] = []
    for item in chapters:
        if isinstance(item, Chapter):
            found = [item]
        else:
            name = str(item).strip()
            found = [c for c in every if c.key == name] or \
                [c for c in every if c.key.startswith(name)]
            if not found:
                raise UnknownChapterError(
                    f"no tour chapter named {name!r}; choose a key or a prefix of one "
                    f"(e.g. a seed number '004') from: {', '.join(c.key for c in every)}")
        chosen.extend(c for c in found if c not in chosen)
    return chosen


def run_chapter(ch: Chapter, out: str | None, fast: bool = False) -> ChapterResult:
    """Run one chapter; an exception inside it is recorded (the chapter fails)."""
    import warnings

    result = ChapterResult(ch.key, ch.title, ch.seed)
    ctx = Context(ch.key, out, fast, result)
    if ch.summary:
        ctx.text(ch.summary)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # matplotlib Agg notes
            ch.fn(ctx)
    except Exception:  # noqa: BLE001 - the report shows it and the tour fails
        result.error = traceback.format_exc()
    result.seconds = time.perf_counter() - start
    return result
