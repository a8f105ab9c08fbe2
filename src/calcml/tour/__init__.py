"""The seed lessons as runnable, self-checking chapters: ``calcml tour``.

Every lesson and application of the seed documents (``shared/seeds``) is a chapter
(:mod:`.seed000`, :mod:`.seed003`, :mod:`.seed004`) that computes with calcml, checks
its results against the known answers and across methods, saves its figures and
writes its part of an HTML report (:mod:`.report`). The machinery is in
:mod:`.framework`.

>>> from calcml.tour import chapters
>>> [key for key in chapters() if key.startswith("000")][:2]
['000-1-gradient-descent', '000-2-sigmoid']
"""
from __future__ import annotations

import glob
import os
import time
from typing import Any, Iterable

from calcml.tour.framework import (Chapter, ChapterResult, Check, Context, TourReport,
                                   UnknownChapterError, chapter, registry, run_chapter,
                                   select)

__all__ = ["run", "chapters", "TourReport", "ChapterResult", "Check", "Chapter", "Context",
           "chapter", "UnknownChapterError"]


def chapters() -> list[str]:
    """The keys of every chapter, in tour order.

    Returns
    -------
    list of str
        Keys such as ``"004-3-gradient"``; :func:`run` accepts them or their prefixes.
    """
    return [c.key for c in registry()]


def run(out: str | os.PathLike | None = "tour-output",
        chapters: Iterable[Any] | str | None = None, fast: bool = False,
        progress: bool = True) -> TourReport:
    """Run the tour: compute and check every chapter, write ``out/index.html``.

    Parameters
    ----------
    out : path or None, default: "tour-output"
        Folder for ``index.html``, ``report.json`` and ``figures/*.png`` (created; old
        figures in it are removed). None: nothing is written.
    chapters : iterable of str, optional
        Chapter keys or prefixes (``"004"`` = every chapter of seed 004; see
        :func:`chapters`); :class:`Chapter` objects are accepted too. Default: all.
    fast : bool, default: False
        Fewer iterations and smaller figures (the tests use it); the checks are the same.
    progress : bool, default: True
        Show a progress bar (rich) on stderr.

    Returns
    -------
    TourReport
        ``passed`` (every check of every chapter passed), ``chapters`` (a
        :class:`ChapterResult` each: checks, figures, time), ``index`` (the HTML path).

    Raises
    ------
    UnknownChapterError
        A name in ``chapters`` matches no chapter.

    Examples
    --------
    >>> import tempfile, calcml.tour
    >>> with tempfile.TemporaryDirectory() as d:
    ...     rep = calcml.tour.run(d, chapters=["000-3"], fast=True, progress=False)
    ...     print(rep.passed, os.path.exists(rep.index))
    True True
    """
    todo = select(chapters)
    outdir = None if out is None else os.fspath(out)
    if outdir is not None:
        os.makedirs(os.path.join(outdir, "figures"), exist_ok=True)
        for old in glob.glob(os.path.join(outdir, "figures", "*.png")):
            os.remove(old)
    import matplotlib

    if "matplotlib.pyplot" not in __import__("sys").modules:
        matplotlib.use("Agg")      # no window, no display needed
    start = time.perf_counter()
    results: list[ChapterResult] = []
    if progress:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn)

        cols = (TextColumn("[bold]tour[/] {task.description:<34}"), BarColumn(),
                MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*cols, console=Console(stderr=True), transient=False) as bar:
            task = bar.add_task("", total=len(todo))
            for ch in todo:
                bar.update(task, description=ch.key)
                res = run_chapter(ch, outdir, fast)
                results.append(res)
                bar.advance(task)
            bar.update(task, description="done")
    else:
        results = [run_chapter(ch, outdir, fast) for ch in todo]
    report = TourReport(results, outdir, time.perf_counter() - start, fast)
    if outdir is not None:
        from calcml.tour.report import write_html, write_json

        write_html(report, outdir)
        write_json(report, outdir)
    return report
