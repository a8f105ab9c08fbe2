"""The tour end to end (fast mode), its HTML report, and its failure semantics."""
from __future__ import annotations

import json
import os
from html.parser import HTMLParser

import numpy as np
import pytest

import calcml
import calcml.tour as tour
from calcml.tour.framework import Chapter, Context, run_chapter

SEEDS = {"000", "003", "004"}


class _Collector(HTMLParser):
    """Every id, href, src, and the text of the page (and of <td>s of the last table)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in ("img", "meta", "br", "hr", "link", "input"):
            self.stack.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag in ("img", "script", "link") and ("src" in attrs or "href" in attrs):
            self.srcs.append(attrs.get("src") or attrs.get("href"))
        if tag == "tr":
            self._row = []
        if tag in ("td", "th"):
            self._cell: list[str] = []

    def handle_endtag(self, tag):
        assert self.stack, f"closing </{tag}> with nothing open"
        assert self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1]}>"
        self.stack.pop()
        if tag in ("td", "th") and self._row is not None:
            self._row.append("".join(self._cell).strip())
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._row is not None and ("td" in self.stack or "th" in self.stack):
            self._cell.append(data)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    report = tour.run(out, fast=True, progress=False)
    return out, report


def _parse(path) -> _Collector:
    parser = _Collector()
    with open(path, encoding="utf-8") as fh:
        parser.feed(fh.read())
    parser.close()
    assert parser.stack == [], f"unclosed tags {parser.stack}"
    return parser


def test_whole_tour_passes(full):
    out, report = full
    failures = report.failures()
    assert report.passed, f"failed checks: {failures}"
    assert failures == []
    keys = [c.key for c in report.chapters]
    assert keys == tour.chapters()
    assert {c.seed for c in report.chapters} == SEEDS
    assert len(keys) >= 15
    for c in report.chapters:
        assert c.error is None, c.error
        assert c.n_checks >= 5, (c.key, c.n_checks)       # every chapter really checks
        assert c.figures, f"{c.key} saved no figure"
        assert c.seconds > 0


def test_html_parses_links_exist_and_lists_every_chapter(full):
    out, report = full
    page = _parse(os.path.join(out, "index.html"))
    text = " ".join(page.text)
    for c in report.chapters:
        assert c.key in page.ids
        assert c.title in text
    for href in page.hrefs:
        assert not href.startswith(("http:", "https:", "//")), href       # no network
        if href.startswith("#"):
            assert href[1:] in page.ids, href
        else:
            assert os.path.isfile(os.path.join(out, href)), href
    assert page.srcs, "no figures in the page"
    for src in page.srcs:
        assert not src.startswith(("http:", "https:", "//", "/")), src
        path = os.path.join(out, src)
        assert os.path.isfile(path), src
        with open(path, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    # every figure on disk is in the page, and every figure in the results is on disk
    on_disk = sorted("figures/" + f for f in os.listdir(os.path.join(out, "figures")))
    assert on_disk == sorted(page.srcs)
    assert sorted(f.path for c in report.chapters for f in c.figures) == on_disk
    # the summary table ends the report: one row per chapter, plus header and total
    assert page.ids[-1] == "summary"
    summary = page.rows[-(len(report.chapters) + 1):]
    assert summary[-1][0] == "total"
    assert summary[-1][2] == f"{report.n_passed}/{report.n_checks}"
    for row, c in zip(summary[:-1], report.chapters):
        assert row[0] == c.title and row[2] == f"{c.n_passed}/{c.n_checks}"


def test_json_report_matches(full):
    out, report = full
    with open(os.path.join(out, "report.json"), encoding="utf-8") as fh:
        data = json.load(fh)
    assert data["passed"] is True
    assert [c["key"] for c in data["chapters"]] == [c.key for c in report.chapters]
    assert data["n_checks"] == report.n_checks == sum(c["n_checks"] for c in data["chapters"])


@pytest.mark.parametrize("key", ["000-1-gradient-descent", "000-3-newton",
                                 "000-4-chain-rule", "000-5-reaction-jacobian",
                                 "003-2-scipy-derivative", "004-2-integration",
                                 "004-3-gradient", "004-5-backprop"])
def test_seed_defects_are_caught(full, key):
    """Each defect listed in seeds/README.md has a check that detects it (and passed)."""
    _, report = full
    ch = next(c for c in report.chapters if c.key == key)
    bug_checks = [k for k in ch.checks if k.catches_bug]
    assert bug_checks and all(k.passed for k in bug_checks)


def test_backprop_catches_dsigmoid_and_cross_entropy(full):
    _, report = full
    ch = next(c for c in report.chapters if c.key == "004-5-backprop")
    caught = {k.name: k for k in ch.checks if k.catches_bug}
    dsig = [k for n, k in caught.items() if "seed_dsigmoid" in n]
    assert dsig and "GradientCheckError" in dsig[0].detail
    assert any("cross_entropy" in n for n in caught)


def _chapter(fn, key="x-test"):
    return Chapter(key, f"Test chapter {key}", "999", fn)


def test_failing_check_fails_the_report(tmp_path):
    def good(ctx):
        ctx.close("two plus two", 2 + 2, 4)

    def bad(ctx):
        ctx.close("one third", 0.3333, 1 / 3, rtol=1e-9)

    report = tour.run(tmp_path, chapters=[_chapter(good, "x-good"), _chapter(bad, "x-bad")],
                      progress=False)
    assert not report.passed
    assert [c.passed for c in report.chapters] == [True, False]
    assert report.failures() == [("x-bad", "one third")]
    page = _parse(tmp_path / "index.html")
    assert "SOME CHECKS FAILED" in " ".join(page.text)
    only_good = tour.run(tmp_path, chapters=[_chapter(good, "x-good")], progress=False)
    assert only_good.passed


def test_exception_and_empty_chapter_fail(tmp_path):
    def boom(ctx):
        ctx.check("fine so far", True)
        raise RuntimeError("kaput")

    def empty(ctx):
        ctx.text("nothing is checked here")

    report = tour.run(tmp_path, chapters=[_chapter(boom, "x-boom"), _chapter(empty, "x-empty")],
                      progress=True)
    assert not report.passed
    boom_res, empty_res = report.chapters
    assert not boom_res.passed and "RuntimeError: kaput" in boom_res.error
    assert boom_res.n_passed == boom_res.n_checks == 1
    assert not empty_res.passed and empty_res.error is None
    assert {k for k, _ in report.failures()} == {"x-boom", "x-empty"}
    assert "kaput" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_bug_check_fails_when_the_bug_is_not_detected():
    def fn(ctx):
        ctx.close("seed value is caught", 1.0, 1.0, catches_bug=True)     # equal: not caught
        ctx.close("seed value is caught", 2.0, 1.0, catches_bug=True)     # differs: caught
        ctx.raises("raises", lambda: 3)                                   # no error: fails
        ctx.raises("raises", lambda: calcml.check_grad(np.sin, np.array([0.5]),
                                                       grad=lambda x: np.sin(x)),
                   (calcml.GradientCheckError,))
    res = run_chapter(_chapter(fn), out=None)
    assert [k.passed for k in res.checks] == [False, True, False, True]
    assert all(k.catches_bug for k in res.checks)
    assert "NOT detected" in res.checks[0].detail


def test_close_tolerances_and_shapes():
    res = run_chapter(_chapter(lambda ctx: [
        ctx.close("rel", 1.0 + 1e-10, 1.0, rtol=1e-9),
        ctx.close("rel tight", 1.0 + 1e-8, 1.0, rtol=1e-9),
        ctx.close("abs", [0.0, 1e-13], [0.0, 0.0], rtol=0, atol=1e-12),
        ctx.close("shape", [1.0, 2.0, 3.0], [1.0, 2.0]),
        ctx.close("nan", np.nan, 1.0),
    ]), out=None)
    assert [k.passed for k in res.checks] == [True, False, True, False, False]


def test_wrong_library_answer_is_caught(monkeypatch):
    """The checks are not vacuous: a calcml function giving a wrong answer fails the tour."""
    real = calcml.derivative

    def off_by_a_bit(f, *a, **k):
        d = real(f, *a, **k)
        return lambda x: d(x) * (1 + 1e-6)

    monkeypatch.setattr(calcml, "derivative", off_by_a_bit)
    report = tour.run(None, chapters=["004-6"], fast=True, progress=False)
    assert not report.passed
    ch = report.chapters[0]
    assert ch.error is None and 0 < ch.n_passed < ch.n_checks     # checks failed, no crash
    assert report.index is None


def test_select_chapters():
    keys = tour.chapters()
    selected = [c.key for c in tour.framework.select(["004"])]
    assert selected == [k for k in keys if k.startswith("004")]
    assert len(tour.framework.select(["004"])) == 7
    assert [c.key for c in tour.framework.select("000-3")] == ["000-3-newton"]
    with pytest.raises(tour.UnknownChapterError, match="no tour chapter named 'nope'"):
        tour.run(None, chapters=["nope"], progress=False)
    assert issubclass(tour.UnknownChapterError, calcml.CalcmlError)


def test_figures_not_written_without_out():
    res = run_chapter(next(c for c in tour.framework.registry() if c.key == "004-4-jacobian"),
                      out=None, fast=True)
    assert res.passed and res.figures == []


def test_context_text_is_escaped():
    res = run_chapter(_chapter(lambda ctx: (ctx.text("<b>x</b> `a<b` **bold**"),
                                            ctx.check("ok", True))), out=None)
    kind, body = res.blocks[0]
    assert kind == "text"
    assert body == "&lt;b&gt;x&lt;/b&gt; <code>a&lt;b</code> <strong>bold</strong>"
    assert isinstance(Context, type)
