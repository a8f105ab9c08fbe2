"""The tour's HTML report: one self-contained ``index.html`` with figures beside it.

No scripts, no fonts or styles from the network: the page is plain HTML with an inline
style sheet, and every image is a PNG file under ``figures/`` next to it. The page has
a table of contents, one section per chapter (prose, code, tables, figures and each
check with its numbers) and ends with the summary table (chapter, checks passed, time).
"""
from __future__ import annotations

import datetime as _dt
import html
import json
import os
from typing import Any

from calcml.tour.framework import Check, ChapterResult, SavedFigure, TourReport

__all__ = ["write_html", "render_html", "write_json"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1000px;
margin:2em auto;padding:0 1em;color:#1d1d1f;line-height:1.5}
h1{border-bottom:3px solid #3b5bdb}h2{margin-top:2.2em;border-bottom:1px solid #ccc}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f5f6f8;border:1px solid #e1e4e8;padding:.7em;overflow-x:auto}
.caption{font-size:.85em;color:#555;margin-bottom:-.6em}
table{border-collapse:collapse;margin:.8em 0}td,th{border:1px solid #d0d4da;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#eef1f6}
.check{margin:.35em 0;padding:.35em .6em;border-left:5px solid}
.pass{border-color:#2b8a3e;background:#ebfbee}.fail{border-color:#c92a2a;background:#fff5f5}
.bug{font-size:.8em;background:#ffe8cc;color:#a14d00;padding:0 .4em;border-radius:3px;
margin-left:.4em}
.detail{white-space:pre-wrap;font-size:.85em;color:#333;margin:.2em 0 0 0;background:none;
border:0;padding:0}
.missing{border-left:5px solid #e67700;background:#fff9db;padding:.35em .6em;margin:.4em 0}
.error{border-left:5px solid #c92a2a;background:#fff5f5}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9em;color:#444}
.badge{font-size:.75em;padding:.1em .5em;border-radius:3px;color:#fff;vertical-align:middle}
.ok{background:#2b8a3e}.ko{background:#c92a2a}
"""


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _badge(passed: bool) -> str:
    word = "passed" if passed else "FAILED"
    return f'<span class="badge {"ok" if passed else "ko"}">{word}</span>'


def _check_html(chk: Check) -> str:
    mark = "&#10003;" if chk.passed else "&#10007;"
    bug = '<span class="bug">catches a seed bug</span>' if chk.catches_bug else ""
    detail = f'<pre class="detail">{_esc(chk.detail)}</pre>' if chk.detail else ""
    return (f'<div class="check {"pass" if chk.passed else "fail"}">{mark} '
            f'{_esc(chk.name)}{bug}{detail}</div>')


def _block_html(kind: str, value: Any) -> str:
    if kind == "text":
        return f"<p>{value}</p>"          # escaped by Context.text
    if kind == "code":
        caption, source = value
        cap = f'<p class="caption">{_esc(caption)}</p>' if caption else ""
        return f"{cap}<pre><code>{_esc(source)}</code></pre>"
    if kind == "table":
        caption, header, rows = value
        cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
        head = "".join(f"<th>{_esc(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{_esc(v)}</td>" for v in row) + "</tr>"
                       for row in rows)
        return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if kind == "figure":
        fig: SavedFigure = value
        return (f'<figure><img src="{_esc(fig.path)}" alt="{_esc(fig.caption)}">'
                f"<figcaption>{_esc(fig.caption)}</figcaption></figure>")
    if kind == "check":
        return _check_html(value)
    if kind == "missing":
        return f'<div class="missing">Not available yet: {_esc(value)}</div>'
    raise ValueError(f"unknown report block {kind!r}")


def _chapter_html(ch: ChapterResult) -> str:
    parts = [f'<section id="{_esc(ch.key)}">',
             f"<h2>{_esc(ch.title)} {_badge(ch.passed)}</h2>",
             f'<p class="caption">chapter <code>{_esc(ch.key)}</code> · seed {_esc(ch.seed)} · '
             f"{ch.n_passed}/{ch.n_checks} checks passed · {ch.seconds:.2f} s</p>"]
    parts.extend(_block_html(kind, value) for kind, value in ch.blocks)
    if ch.error is not None:
        parts.append('<div class="check fail error">&#10007; the chapter raised an exception'
                     f'<pre class="detail">{_esc(ch.error)}</pre></div>')
    elif ch.n_checks == 0:
        parts.append('<div class="check fail">&#10007; the chapter recorded no checks</div>')
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: TourReport) -> str:
    """The report as one HTML string (figure paths relative to the output folder)."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    toc = "".join(f'<li><a href="#{_esc(c.key)}">{_esc(c.title)}</a> {_badge(c.passed)}</li>'
                  for c in report.chapters)
    rows = "".join(
        f'<tr><td><a href="#{_esc(c.key)}">{_esc(c.title)}</a></td><td>{_esc(c.seed)}</td>'
        f'<td>{c.n_passed}/{c.n_checks}</td><td>{c.seconds:.2f} s</td>'
        f'<td>{"passed" if c.passed else "FAILED"}'
        f'{" (raised)" if c.error else ""}'
        f'{" · missing: " + _esc("; ".join(c.missing)) if c.missing else ""}</td></tr>'
        for c in report.chapters)
    verdict = "every check passed" if report.passed else "SOME CHECKS FAILED"
    mode = " (fast mode)" if report.fast else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>calcml tour</title><style>{_CSS}</style></head>
<body>
<h1>calcml tour: the seed lessons, computed and checked</h1>
<p>Every lesson and application of the seed documents, recomputed with calcml and checked
against the known answer: the seeds' stated results, closed forms, and independent
methods (symbolic, automatic and numeric differentiation). Where the seeds' code is wrong,
the chapter shows calcml's check catching the defect (such checks are marked
<span class="bug">catches a seed bug</span> and pass when the defect is detected) and
then the corrected result.</p>
<p><strong>{_esc(verdict)}</strong>{_esc(mode)}: {report.n_passed}/{report.n_checks} checks in
{len(report.chapters)} chapters, {report.seconds:.1f} s; generated {_esc(stamp)}.</p>
<nav><h2>Chapters</h2><ol>{toc}</ol></nav>
{"".join(_chapter_html(c) for c in report.chapters)}
<section id="summary"><h2>Summary {_badge(report.passed)}</h2>
<table><thead><tr><th>chapter</th><th>seed</th><th>checks passed</th><th>time</th>
<th>result</th></tr></thead><tbody>{rows}
<tr><th>total</th><th></th><th>{report.n_passed}/{report.n_checks}</th>
<th>{report.seconds:.1f} s</th><th>{"passed" if report.passed else "FAILED"}</th></tr>
</tbody></table></section>
</body></html>
"""


def write_html(report: TourReport, out: str) -> str:
    """Write ``out/index.html``; returns its path."""
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "index.html")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(render_html(report))
    return path


def write_json(report: TourReport, out: str) -> str:
    """Write ``out/report.json`` (the same results, machine-readable); returns its path."""
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "report.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(report.to_dict(), fh, indent=1, default=str)
    return path
