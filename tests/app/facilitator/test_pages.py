"""The facilitator's templates: rendered from their context functions, parsed, never grepped.

Every page keeps the project's Content-Security-Policy rules (no inline script code, no style
attributes, no event-handler attributes) and shows what its service says.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session
from starlette.templating import Jinja2Templates

from app import TEMPLATES_DIR
from app import facilitator_pages as pages
from app.i18n import Catalogue
from app.models import SortSession
from app.services import paper_entry
from app.services.board import STEPS
from app.services.paper_entry import Columns

VALUES = list(range(-4, 5))
CAPACITIES = [2, 3, 4, 5, 6, 5, 4, 3, 2]


class Page(HTMLParser):
    """Tags with their attributes, the text, and the bodies of script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        elif data.strip():
            self.text.append(" ".join(data.split()))

    def all_text(self) -> str:
        return " ".join(self.text)

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())
        ]


def render(name: str, context: dict[str, Any]) -> Page:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    t = Catalogue()
    html = templates.get_template(name).render(t=t, lang="en", **context)
    page = Page()
    page.feed(html)
    assert_csp_safe(page)
    return page


def assert_csp_safe(page: Page) -> None:
    for tag, attrs in page.tags:
        assert "style" not in attrs, tag
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
    for attrs, body in page.scripts:
        if attrs.get("src"):
            assert not body.strip()
        else:
            assert attrs.get("type") == "application/json"
            json.loads(body)


def laid(order: list[int]) -> Columns:
    columns: Columns = {}
    for value, cap in zip(VALUES, CAPACITIES, strict=True):
        columns[value], order = order[:cap], order[cap:]
    return columns


def test_every_facilitator_template_is_used_by_a_test() -> None:
    here = Path(__file__).read_text(encoding="utf-8")
    names = sorted(p.name for p in (TEMPLATES_DIR / "facilitator").glob("[!_]*.html"))
    assert names == [
        "board.html",
        "discussion.html",
        "join_screen.html",
        "paper_entry.html",
        "print_deck.html",
        "print_grid.html",
        "print_interview.html",
        "print_record.html",
    ]
    for name in names:
        assert f'"facilitator/{name}"' in here, name


def test_the_paper_form_has_a_labelled_field_per_column(db: Session, group: SortSession) -> None:
    assert group.id is not None
    context = pages.paper_entry_context(db, group.id, action="/f/x")
    page = render("facilitator/paper_entry.html", context)
    for value in VALUES:
        assert page.find("input", id=f"col_{value}", name=f"col_{value}")
        assert page.find("label", **{"for": f"col_{value}"})
        cells = [a for t, a in page.tags if t == "ol" and a.get("id") == f"cells_{value}"]
        assert cells
    config = json.loads(next(b for a, b in page.scripts if a.get("id") == "paper-config"))
    assert config["values"] == VALUES and config["capacities"] == CAPACITIES
    assert config["forced"] is True and len(config["statements"]) == 34
    assert "problem.paper_duplicate" in config["strings"]
    assert page.find("form", action="/f/x", method="post")


def test_a_refused_typing_is_shown_again_with_every_problem(
    db: Session, group: SortSession
) -> None:
    assert group.id is not None
    form = {"col_-4": "1 1", "col_4": "33 x"}
    typed, _, problems = pages.read_typing(db, group.id, form)
    assert typed[-4] == "1 1" and typed[0] == ""
    context = pages.paper_entry_context(db, group.id, action="/f/x", typed=typed, problems=problems)
    page = render("facilitator/paper_entry.html", context)
    assert page.find("input", id="col_-4", value="1 1")
    assert "Column +4, place 2: 'x' is not a statement number." in page.all_text()
    assert "Nothing was saved: 1 problem" in page.all_text()


def test_double_entry_differences_are_listed_cell_by_cell(db: Session, group: SortSession) -> None:
    assert group.id is not None
    first = paper_entry.start_entry(db, group.id, laid(list(range(1, 35))), double_entry=True)
    other = laid(list(range(1, 35)))
    other[0][0], other[0][1] = other[0][1], other[0][0]
    assert first.entry.id is not None
    outcome = paper_entry.enter_again(db, first.entry.id, other)
    assert outcome.entry.id is not None
    context = pages.paper_entry_context(db, group.id, action="/f/x", entry_id=outcome.entry.id)
    assert context["typing"] == "correct" and context["entry_id"] == outcome.entry.id
    page = render("facilitator/paper_entry.html", context)
    text = page.all_text()
    assert f"The two typings of {outcome.label} differ in 2 cells" in text
    assert "0 1 15 16" in text and "0 2 16 15" in text  # column, place, first, second
    radios = page.find("input", type="radio", name="which")
    assert [(a["value"], "checked" in a) for a in radios] == [("first", False), ("second", True)]
    assert page.find("input", type="hidden", name="entry", value=str(outcome.entry.id))
    assert page.find("a", href=f"/f/x?entry={outcome.entry.id}")  # listed as pending too
    assert f"{outcome.label} : 2 cells differ" in text


def test_the_posted_form_runs_a_double_entry_to_agreement(db: Session, group: SortSession) -> None:
    assert group.id is not None
    right = laid(list(range(1, 35)))
    form = {f"col_{v}": " ".join(map(str, ns)) for v, ns in right.items()}
    first = pages.save_typing(
        db, group.id, {**form, "label": "p50", "double_entry": "1"}, action="/f/x", by=1
    )
    assert first["typing"] == "second" and first["outcome"].label == "P50"
    entry = str(first["entry_id"])
    wrong = {**form, "col_4": "34 33"}
    second = pages.save_typing(
        db, group.id, {**wrong, "typing": "second", "entry": entry}, action="/f/x", by=2
    )
    assert second["typing"] == "correct" and len(second["outcome"].differences) == 2
    duplicate = {**form, "col_4": "33 33", "typing": "correct", "entry": entry}
    refused = pages.save_typing(db, group.id, duplicate, action="/f/x", by=2)
    assert refused["problems"][0] == "Statement 33 is typed 2 times (columns +4)."
    assert refused["typed"][4] == "33 33" and refused["entry_id"] == int(entry)
    fixed = {**form, "typing": "correct", "which": "second", "entry": entry}
    done = pages.save_typing(db, group.id, fixed, action="/f/x", by=2)
    assert done["outcome"].recorded and done["typing"] == "first" and done["typed"] == {}
    assert done["pending"] == []


def test_an_entry_of_another_session_is_not_found(
    db: Session, group: SortSession, study_id: int
) -> None:
    from app.errors import NotFoundError
    from app.services.group_sessions import open_group_session

    other = open_group_session(db, study_id)
    assert group.id is not None and other.id is not None
    entry = paper_entry.start_entry(db, other.id, laid(list(range(1, 35))), double_entry=True)
    assert entry.entry.id is not None
    with pytest.raises(NotFoundError):
        pages.paper_entry_context(db, group.id, action="/f/x", entry_id=entry.entry.id)


def test_the_deck_page_mirrors_each_row_on_the_backs(db: Session, study_id: int) -> None:
    context = pages.deck_context(db, study_id)
    assert context["count"] == 34 and len(context["pages"]) == 4
    first = context["pages"][0]
    assert [c.number for c in first["fronts"]] == list(range(1, 11))
    assert [c.number for c in first["backs"]] == [2, 1, 4, 3, 6, 5, 8, 7, 10, 9]
    last = context["pages"][-1]
    assert [c and c.number for c in last["backs"][:4]] == [32, 31, 34, 33]
    page = render("facilitator/print_deck.html", context)
    assert len(page.find("section")) == 8


@pytest.mark.parametrize("paper", ["A4", "A3", "letter"])
def test_the_grid_page_is_drawn_at_a4_or_a3(db: Session, study_id: int, paper: str) -> None:
    context = pages.grid_context(db, study_id, paper)
    page = render("facilitator/print_grid.html", context)
    size = "a3" if paper == "A3" else "a4"
    assert page.find("section", **{"class": f"sheet landscape-{size}"})
    cells = [a for t, a in page.tags if a.get("class") == "gcell"]
    assert len(cells) == 34


def test_the_record_page_has_a_box_per_card(db: Session, group: SortSession) -> None:
    assert group.id is not None
    page = render("facilitator/print_record.html", pages.record_context(db, group.id))
    assert group.code in page.all_text()
    boxes = page.find("span", **{"class": "box"})
    assert len(boxes) == 34


def test_interview_pages_show_only_finished_sorts(db: Session, group: SortSession) -> None:
    assert group.id is not None
    paper_entry.start_entry(db, group.id, laid(list(range(1, 35))), label="P21")
    paper_entry.start_entry(db, group.id, laid(list(range(1, 35))), label="P22", double_entry=True)
    page = render("facilitator/print_interview.html", pages.interview_context(db, group.id))
    text = page.all_text()
    assert "Post-sort interview: P21" in text and "P22" not in text


def test_the_discussion_page_waits_for_three_sorts(db: Session, group: SortSession) -> None:
    assert group.id is not None
    for label in ("P31", "P32"):
        paper_entry.start_entry(db, group.id, laid(list(range(1, 35))), label=label)
    page = render("facilitator/discussion.html", pages.discussion_context(db, group.id))
    assert "Not enough sorts yet." in page.all_text()
    assert page.find("section") == []
    assert page.find("meta", **{"http-equiv": "refresh"})  # it shows itself once ready
    paper_entry.start_entry(db, group.id, laid(list(range(34, 0, -1))), label="P33")
    page = render("facilitator/discussion.html", pages.discussion_context(db, group.id))
    text = page.all_text()
    assert len(page.find("section")) == 4 and "From 3 finished sorts" in text
    assert not page.find("meta", **{"http-equiv": "refresh"})
    assert not [label for label in ("P31", "P32", "P33") if label in text]
    assert len(page.find("svg", role="img")) == 20


def test_the_board_page_carries_the_state_and_where_updates_come_from(
    db: Session, group: SortSession
) -> None:
    from app.services import join

    assert group.id is not None
    joined = join.accept_consent(db, group.code, seat=2).participant
    urls = {"events": "/e", "clear": "/c/{participant}", "answer": "/a/{help}"}
    page = render("facilitator/board.html", pages.board_context(db, group.id, urls))
    config = json.loads(next(b for a, b in page.scripts if a.get("id") == "board-config"))
    assert config["urls"] == urls
    assert [(r["label"], r["seat_name"], r["step"]) for r in config["board"]["rows"]] == [
        (joined.label, "Tablet 2", "joined")
    ]
    assert set(config["steps"]) == set(STEPS)
    assert page.find("script", type="module", src="/static/js/live-board.js")


def test_the_join_screen_has_the_code_and_a_qr_code_per_seat(
    db: Session, group: SortSession
) -> None:
    assert group.id is not None
    context = pages.join_screen_context(db, group.id, "http://10.1.2.3:8000/")
    assert context["link"] == f"http://10.1.2.3:8000/j/{group.code}"
    page = render("facilitator/join_screen.html", context)
    assert group.code in page.all_text()
    assert len(page.find("svg", **{"class": "qr"})) == 1 + 3
    assert f"http://10.1.2.3:8000/j/{group.code}?seat=3" in page.all_text()
    assert "Tablet 3" in page.all_text()
