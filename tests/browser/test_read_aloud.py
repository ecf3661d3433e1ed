"""Read-aloud: every card and the instructions and questions read with the device's speech.

The browser's speech synthesis is replaced by a stub (``add_init_script``) that records what it
was asked to say and in which language; a second stub has no voice at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session, select

from app.demo import CONDITION, STATEMENTS
from app.models import Study

from .conftest import LiveServer
from .helpers import fill_board, first_tray_card, join, join_code, presort_all

pytestmark = pytest.mark.browser

SPEECH_STUB = """(() => {
  const voices = %s;
  window.__spoken = [];
  class Utterance { constructor(text) { this.text = text; this.lang = ''; this.voice = null; } }
  const synth = {
    getVoices: () => voices,
    speak: (u) => window.__spoken.push(
      {text: u.text, lang: u.lang, voice: u.voice && u.voice.lang}),
    cancel: () => {}, pause: () => {}, resume: () => {},
    addEventListener: () => {}, removeEventListener: () => {}, speaking: false, pending: false,
  };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  Object.defineProperty(window, 'SpeechSynthesisUtterance', {value: Utterance, configurable: true});
})();"""

VOICES = '[{"lang": "en-GB", "name": "Stub English"}, {"lang": "es-ES", "name": "Stub Spanish"}]'


def _context(browser: Browser, width: int, height: int, voices: str) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, device_scale_factor=1
    )
    context.add_init_script(SPEECH_STUB % voices)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture()
def speaking_tablet(browser: Browser) -> Iterator[Page]:
    """A landscape tablet (1024x768) whose speech is the recording stub."""
    yield from _context(browser, 1024, 768, VOICES)


@pytest.fixture()
def mute_phone(browser: Browser) -> Iterator[Page]:
    """A phone with speech synthesis but no voice installed."""
    yield from _context(browser, 390, 844, "[]")


def spoken(page: Page) -> list[dict[str, Any]]:
    said: list[dict[str, Any]] = page.evaluate("window.__spoken")
    return said


def _said_last(page: Page, text: str) -> None:
    page.wait_for_function("() => window.__spoken.length > 0")
    last = spoken(page)[-1]
    assert last["text"].strip() == text
    assert last["lang"] == "en" and last["voice"] == "en-GB"


def test_every_card_and_text_is_read_in_the_study_language(
    speaking_tablet: Page, live_server: LiveServer
) -> None:
    page = speaking_tablet
    join(page, live_server)
    page.click("#condition [data-speak]")
    _said_last(page, CONDITION)
    page.click("#stage-instructions [data-speak]")
    assert spoken(page)[-1]["text"].startswith("First, read each card")
    page.click("#start-presort")
    first = int(page.text_content("#presort-card .num") or "0")
    page.click("#presort-card [data-speak]")
    _said_last(page, STATEMENTS[first - 1])
    presort_all_from_presort(page)
    # a card in the tray, then the same card on the board and in the dock
    card = first_tray_card(page)
    n = int(page.get_attribute(card, "data-n") or "0")
    page.tap(f'.tray-cards .card-wrap:has([data-n="{n}"]) [data-speak]')
    _said_last(page, STATEMENTS[n - 1])
    expect(page.locator("#reader")).to_be_hidden()  # the speaker does not pick the card up
    page.tap(card)
    page.tap('.cell[data-value="-4"][data-row="0"] .slot')
    page.tap(f'.cell .card-wrap:has([data-n="{n}"]) [data-speak]')
    _said_last(page, STATEMENTS[n - 1])
    page.tap(f'.card[data-n="{n}"]')
    page.tap("#reader [data-speak]")
    _said_last(page, STATEMENTS[n - 1])
    assert len(spoken(page)) == 6


def presort_all_from_presort(page: Page) -> None:
    while page.is_enabled("[data-pile=agree]"):
        page.click("[data-pile=agree]")
    page.click("#presort-done")


def test_survey_questions_and_comment_cards_are_read(
    speaking_tablet: Page, live_server: LiveServer
) -> None:
    page = speaking_tablet
    join(page, live_server)
    fill_board(page)
    page.click("#submit-sort")
    expect(page.locator("#stage-postsort")).to_be_visible()
    page.click(".comment-card [data-speak] >> nth=0")
    page.wait_for_function("() => window.__spoken.length === 1")
    page.click("#postsort-next")
    page.click('.question[data-key="group"] [data-speak]')
    _said_last(page, "Which fits you best?")


def test_a_device_without_a_voice_says_so(mute_phone: Page, live_server: LiveServer) -> None:
    page = mute_phone
    join(page, live_server)
    expect(page.locator("#speech-note")).to_be_hidden()
    page.click("#stage-instructions [data-speak]")
    expect(page.locator("#speech-note")).to_be_visible()
    expect(page.locator("#speech-note")).to_contain_text("no voice")
    assert spoken(page) == []


def test_read_aloud_can_be_switched_off(page: Page, live_server: LiveServer) -> None:
    _set_read_aloud(live_server, False)
    try:
        join(page, live_server)
        presort_all(page)
        assert page.locator("[data-speak]").count() == 0
    finally:
        _set_read_aloud(live_server, True)


def test_spanish_study_speaks_spanish(speaking_tablet: Page, live_server: LiveServer) -> None:
    from .studies import add_spanish_study

    add_spanish_study(live_server)
    page = speaking_tablet
    join_code(page, live_server, "ESPA")
    assert page.get_attribute("html", "lang") == "es"
    expect(page.locator("#start-presort")).to_have_text("Empezar")
    page.click("#condition [data-speak]")
    page.wait_for_function("() => window.__spoken.length > 0")
    assert spoken(page)[-1]["lang"] == "es" and spoken(page)[-1]["voice"] == "es-ES"


def _set_read_aloud(server: LiveServer, on: bool) -> None:
    with Session(server.app.state.engine) as db:
        for study in db.exec(select(Study)):
            study.read_aloud = on
            db.add(study)
        db.commit()
