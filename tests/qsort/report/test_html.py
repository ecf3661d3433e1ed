"""The HTML report: self-contained, escaped, with every table and figure; checked in Chromium."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from qsort.report.book import report_sheets
from qsort.report.html import render_html
from qsort.result import AnalysisResult
from tests.qsort.report.conftest import CREATED, HOSTILE


class Counter(HTMLParser):
    """Counts tags and collects every URL-bearing attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.urls: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href")]


def _parse(html: str) -> Counter:
    parser = Counter()
    parser.feed(html)
    return parser


def test_self_contained_and_escaped(pq3: AnalysisResult) -> None:
    html = render_html(pq3, created=CREATED)
    parsed = _parse(html)
    assert parsed.tags.get("script", 0) == 0
    assert all(url.startswith("#") for url in parsed.urls)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Lipset &amp; &lt;friends&gt;" in html
    assert "@media print" in html and "break-before: page" in html
    sheets = report_sheets(pq3, CREATED)
    assert parsed.tags["section"] == len(sheets)
    assert parsed.tags["table"] == sum(len(s.tables) for s in sheets)
    assert parsed.tags["svg"] == 1 + 3 + 3  # scree, 3 loading plots, 3 composite sorts
    assert not re.search(r">\s*-?nan\s*<", html, re.IGNORECASE)


def test_guidance_adds_parallel_analysis(pq3: AnalysisResult) -> None:
    class FakeGuidance:
        random_p95 = (1.9, 1.6, 1.4, 1.2, 1.05, 0.9, 0.75, 0.6, 0.45)
        kaiser_guttman = 4
        humphrey = 2
        suggested = 2
        parallel_iterations = 100

    html = render_html(pq3, FakeGuidance(), created=CREATED)
    assert 'class="parallel"' in html
    assert "parallel analysis (100 random studies) suggests 2" in html


def test_unnamed_flag_columns_are_named_in_html(pq3: AnalysisResult) -> None:
    """KADE leaves the flag columns of its Factor Loadings sheet unnamed; the page names them."""
    html = render_html(pq3, created=CREATED)
    section = html[html.index("Factor Matrix with Defining Sorts Flagged") :]
    header = re.findall(r"<th[^>]*>([^<]*)</th>", section[: section.index("</thead>")])
    assert header == [
        "Nm",
        "Q sort",
        "Factor 1",
        "F1 flag",
        "Factor 2",
        "F2 flag",
        "Factor 3",
        "F3 flag",
    ]
    body = section[: section.index("</table>")]
    assert body.count(">Flagged<") == int(pq3.flags.sum())


def test_undefined_factor_html(qm4: AnalysisResult) -> None:
    html = render_html(qm4, created=CREATED)
    assert "undefined" in html
    assert "fig-composite-F4" not in html and "fig-composite-F3" in html


@pytest.mark.browser
def test_report_in_chromium(pq3: AnalysisResult, tmp_path: Path, browser: Any) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_html(pq3, created=CREATED), encoding="utf-8")
    requests: list[str] = []
    page = browser.new_page()
    try:
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri())
        page.wait_for_load_state("networkidle")
        tables = page.locator("table").count()
        svgs = page.locator("svg").count()
        cards = page.locator("#fig-composite-F1 g.card").count()
        section = page.locator("#s-fac-1")
        first = section.locator("tbody tr").first.locator("td")
        number, z_cell = first.nth(0).inner_text(), first.nth(2).inner_text()
        shown = page.locator("#fig-scree svg").bounding_box()
        hostile = page.locator("#s-statements tbody tr").nth(4).inner_text()
    finally:
        page.close()
    assert [url for url in requests if not url.startswith("file://")] == []
    sheets = report_sheets(pq3, CREATED)
    assert tables == sum(len(s.tables) for s in sheets)
    assert svgs == 7
    assert cards == 33
    zscores = pq3.factors[0].zscores
    assert zscores is not None, "F1 has z-scores"
    top = int(zscores.argmax())
    assert int(number) == top + 1
    assert z_cell == f"{zscores[top]:.3f}"
    assert shown is not None and shown["width"] > 300
    assert HOSTILE in hostile
