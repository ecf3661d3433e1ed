"""Survey questions of every kind, and the designer's preview, in a real browser.

(a) A participant meets free text, one choice, several choices (required) and a scale; skipping
the required several-choices question is refused with its text; the answers are stored and the
responses CSV shows them by the question's text and the answers' labels. (b) A researcher
previews a draft study on a phone from consent to thanks: the pages are the participant's own,
marked as a preview, and afterwards the database holds no participant, draft or sort, and the
browser keeps nothing of it (a real participant's unsent work there is left as it was).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session, select

from app import store
from app.models import Draft, Participant, QSortRecord, SurveyAnswer
from app.services import accounts, survey

from .conftest import LiveServer
from .helpers import fill_board, first_tray_card, join_code, presort_all
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "sam@example.org", "a long researcher password"
VALUES, CAPACITIES = [-2, -1, 0, 1, 2], [1, 2, 3, 2, 1]
STATEMENTS = [f"Card {n}: something that helps." for n in range(1, 10)]
SHOTS = os.environ.get("QSORT_SHOTS")
"""A folder for screenshots of the survey step and the preview (left out when unset)."""

MULTIPLE = "Which of these have you used?"
SURVEY: list[survey.Spec] = [
    ("story", "text", "Anything else you want to tell us?", [], False),
    ("role", "choice", "Which fits you best?", survey.choice_options(["Client", "Worker"]), False),
    (
        "used",
        "multiple",
        MULTIPLE,
        survey.choice_options(["A key worker", "A group", "A helpline", "None of these"]),
        True,
    ),
    (
        "hope",
        "scale",
        "How hopeful do you feel today?",
        survey.scale_options(0, 10, "Not at all", "Very"),
        True,
    ),
]


def _study(server: LiveServer, status: str, code: str | None, language: str = "en") -> int:
    """A study with the survey above, owned by the researcher (made once per server)."""
    with Session(server.app.state.engine) as db:
        user = store.user_by_email(db, EMAIL) or accounts.create_user(
            db, None, EMAIL, "researcher", PASSWORD
        )
        study = store.create_study(
            db,
            slug=f"survey-{(code or status).lower()}",
            title=f"Survey study ({status})",
            condition="What helps you most?",
            statements=STATEMENTS,
            column_values=VALUES,
            capacities=CAPACITIES,
            survey=SURVEY,
            consent_text="You may stop at any time.",
            instructions_text="Sort the cards.",
            language=language,
        )
        study.status = status
        assert study.id is not None and user.id is not None
        store.grant(db, study.id, user.id, "owner")
        if code:
            store.open_session(db, study.id, code, name="Main")
        db.commit()
        return study.id


def _sign_in(page: Page, server: LiveServer, then: str) -> None:
    page.goto(f"{server.url}/signin?next={then}")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server.url}{then}")


def _shot(page: Page, name: str, full_page: bool = True) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full_page)


@pytest.fixture()
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    yield context
    context.close()


def test_every_kind_is_asked_checked_stored_and_exported(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    study_id = _study(live_server, "open", "SURVEY1")
    join_code(page, live_server, "SURVEY1")
    fill_board(page)
    page.click("#submit-sort")
    expect(page.locator("#stage-postsort")).to_be_visible()
    page.click("#postsort-next")
    expect(page.locator("#stage-survey")).to_be_visible()
    # each kind is a labelled control: a text box, radios, checkboxes, a row of numbers
    expect(page.get_by_label("Anything else you want to tell us?")).to_be_visible()
    expect(page.locator("fieldset[data-kind=multiple] input[type=checkbox]")).to_have_count(4)
    expect(page.locator("fieldset[data-kind=scale] input[type=radio]")).to_have_count(11)
    expect(page.get_by_role("radio", name="10 (Very)")).to_be_visible()
    page.fill("#q-story", "The group helped.")
    page.get_by_role("radio", name="Worker").check()
    page.get_by_role("radio", name="7", exact=True).check()
    _shot(page, "survey-tablet-landscape")
    page.click("#finish")  # the several-choices question is required and empty
    expect(page.locator("#finish-problems")).to_have_text(f"Please answer: {MULTIPLE}")
    assert serious_violations(page) == []
    expect(page.locator('.question[data-key="used"]')).to_have_class("question invalid")
    expect(page.get_by_role("checkbox", name="A key worker")).to_be_focused()
    page.get_by_role("checkbox", name="A key worker").check()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the keyboard reaches the third option: A helpline
    expect(page.get_by_role("checkbox", name="A helpline")).to_be_checked()
    page.click("#finish")
    page.wait_for_url("**/thanks/SURVEY1")

    with Session(live_server.app.state.engine) as db:
        questions = {q.id: q.key for q in store.questions(db, study_id)}
        stored = {questions[a.question_id]: a.value for a in db.exec(select(SurveyAnswer))}
    assert stored == {"story": "The group helped.", "role": "o2", "used": "o1|o3", "hope": "7"}

    staff = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    _sign_in(staff, live_server, "/studies")
    answer = staff.request.get(f"{live_server.url}/studies/{study_id}/responses.csv?full=true")
    assert answer.ok
    rows = [r for r in csv.DictReader(io.StringIO(answer.text())) if r["kind"] == "answer"]
    assert {r["question"]: r["answer"] for r in rows} == {
        "Anything else you want to tell us?": "The group helped.",
        "Which fits you best?": "Worker",
        MULTIPLE: "A key worker; A helpline",
        "How hopeful do you feel today?": "7",
    }
    staff.context.close()


SCREENS = (
    ("phone", 390, 844, "en", 1),
    ("phone-largest-text", 390, 844, "en", 4),
    ("phone-rtl", 390, 844, "ar", 2),
    ("tablet-portrait", 820, 1180, "en", 1),
)
SMALL_ANSWERS = """els => els.filter(e => { const r = e.getBoundingClientRect();
  return r.width < 44 || r.height < 44; }).length"""


@pytest.mark.parametrize(("name", "width", "height", "language", "size"), SCREENS)
def test_survey_step_fits_phones_and_tablets_at_every_text_size(
    browser: Browser,
    live_server: LiveServer,
    name: str,
    width: int,
    height: int,
    language: str,
    size: int,
) -> None:
    code = f"FIT{SCREENS.index((name, width, height, language, size))}"
    _study(live_server, "open", code, language)
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    join_code(page, live_server, code)
    fill_board(page)
    page.click(f"button[data-size='{size}']")
    page.click("#submit-sort")
    page.click("#postsort-next")
    expect(page.locator("#stage-survey")).to_be_visible()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the survey scrolls sideways on a {name}"
    answers = "#survey-form label.option, #survey-form label.scale-point"
    assert page.eval_on_selector_all(answers, SMALL_ANSWERS) == 0, f"answers too small: {name}"
    # the scale reads in the page's direction: its low end at the start of the line
    low, high = (page.locator(f".scale-point:has(input[value='{v}'])") for v in ("0", "10"))
    low_box, high_box = low.bounding_box(), high.bounding_box()
    assert low_box is not None and high_box is not None
    if language == "ar" and low_box["y"] == high_box["y"]:
        assert low_box["x"] > high_box["x"]
    elif low_box["y"] == high_box["y"]:
        assert low_box["x"] < high_box["x"]
    _shot(page, f"survey-{name}")
    assert serious_violations(page) == []
    context.close()


def test_the_designer_asks_each_kind_for_what_it_needs(
    browser: Browser, live_server: LiveServer
) -> None:
    study_id = _study(live_server, "draft", "DESIGN1")
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    _sign_in(page, live_server, f"/studies/{study_id}/design")
    _shot(page, "designer-top-1280", full_page=False)
    # the saved questions come back with the fields of their kind only
    expect(page.locator("#q2_options")).to_have_value(
        "A key worker\nA group\nA helpline\nNone of these"
    )
    expect(page.locator("#q2_low")).to_be_hidden()
    expect(page.locator("#q3_options")).to_be_hidden()
    expect(page.locator("#q3_low")).to_have_value("0")
    expect(page.locator("#q3_high_label")).to_have_value("Very")
    expect(page.locator("#q0_options")).to_be_hidden()
    # a new scale question: choosing the kind shows its ends
    page.fill("#q4_key", "trust")
    page.fill("#q4_prompt", "How much do you trust your key worker?")
    page.select_option("#q4_kind", "scale")
    expect(page.locator("#q4_options")).to_be_hidden()
    page.fill("#q4_low", "1")
    page.fill("#q4_high", "20")
    page.fill("#q4_low_label", "Not at all")
    page.click("text=Save the design")
    expect(page.locator("p.error[role=alert]")).to_contain_text("at most 11 points")
    expect(page.locator("#q4_high")).to_have_value("20")  # what was typed is kept to fix
    page.fill("#q4_high", "5")
    page.check("input[name=q4_required]")
    page.locator("#q2_prompt").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('q2_prompt').closest('fieldset').scrollIntoView()")
    _shot(page, "designer-survey-1280", full_page=False)
    page.click("text=Save the design")
    expect(page.locator("[role=status]")).to_have_text("Saved.")
    with Session(live_server.app.state.engine) as db:
        trust = next(q for q in store.questions(db, study_id) if q.key == "trust")
    assert (trust.kind, trust.required) == ("scale", True)
    assert survey.scale_ends(trust.options) == (1, 5, "Not at all", "")


LOCAL_KEYS = "() => Object.keys(localStorage).filter(k => k.startsWith('qsort:')).sort()"
DEVICE_STORE = """async () => [
  (await navigator.serviceWorker.getRegistrations()).length,
  (await caches.keys()).length,
  (await (indexedDB.databases ? indexedDB.databases() : Promise.resolve([]))).length]"""


def test_a_researcher_previews_a_draft_on_a_phone_and_nothing_is_stored(
    phone: BrowserContext, live_server: LiveServer
) -> None:
    study_id = _study(live_server, "draft", None)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, live_server, f"/studies/{study_id}/design")
    # a real participant's unsent work on this browser, which the preview must leave alone
    page.evaluate("localStorage.setItem('qsort:draft:other:p1', '{\"dirty\": true}')")
    before = page.evaluate(LOCAL_KEYS)
    with Session(live_server.app.state.engine) as db:
        counts = _counts(db)
    page.goto(f"{live_server.url}/studies/{study_id}/preview")
    banner = page.locator("#preview-banner")
    expect(banner).to_contain_text("Preview")
    expect(banner).to_contain_text("Nothing you do here is saved")
    assert serious_violations(page) == []
    page.click("button[value=accept]")
    page.wait_for_function("() => window.qsortReady === true")
    expect(banner).to_be_visible()
    presort_all(page)
    for value, cap in zip(VALUES, CAPACITIES, strict=True):
        for row in range(cap):
            page.tap(first_tray_card(page))
            page.tap(f'.cell[data-value="{value}"][data-row="{row}"] .slot')
            expect(
                page.locator(f'.cell[data-value="{value}"][data-row="{row}"] .card')
            ).to_have_count(1)
    page.click("#submit-sort")
    expect(page.locator("#stage-postsort")).to_be_visible()
    page.click("#postsort-next")
    expect(page.locator("#stage-survey")).to_be_visible()
    _shot(page, "preview-survey-phone")
    page.click("#finish")
    expect(page.locator("#finish-problems")).to_contain_text(f"Please answer: {MULTIPLE}")
    page.get_by_role("checkbox", name="A group").check()
    page.get_by_role("radio", name="3", exact=True).check()
    page.click("#finish")
    page.wait_for_url(f"**/studies/{study_id}/preview/thanks")
    expect(page.locator("#preview-banner")).to_be_visible()
    expect(page.locator("#back-to-start")).to_have_attribute("href", f"/studies/{study_id}/preview")
    _shot(page, "preview-thanks-phone")
    assert page.evaluate(LOCAL_KEYS) == before
    assert page.evaluate(DEVICE_STORE) == [0, 0, 0]
    with Session(live_server.app.state.engine) as db:
        assert _counts(db) == counts
        assert not db.exec(select(Participant).where(Participant.study_id == study_id)).all()
    assert not errors, f"JavaScript errors: {errors}"


def _counts(db: Session) -> tuple[int, int, int, int]:
    """Participants, drafts, sorts and survey answers in the whole database."""
    return (
        len(db.exec(select(Participant)).all()),
        len(db.exec(select(Draft)).all()),
        len(db.exec(select(QSortRecord)).all()),
        len(db.exec(select(SurveyAnswer)).all()),
    )
