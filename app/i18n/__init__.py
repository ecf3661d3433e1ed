"""Translation catalogues: every participant-facing string not written by the study.

One flat JSON file per language (``en.json``, ``fr.json``, ...) maps keys to strings with
``{name}`` placeholders. Adding a language is adding one file; a key missing from it falls back to
English, so a partial translation still gives a whole page. Each catalogue names its language
in that language (``language.name``), for the designer's menu.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from app import I18N_DIR

DEFAULT_LANGUAGE = "en"
#: Languages written right to left: their pages get ``dir="rtl"`` and a mirrored layout.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


@lru_cache(maxsize=32)
def _load(language: str, folder: Path) -> dict[str, str]:
    path = folder / f"{language}.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def available_languages(folder: Path = I18N_DIR) -> list[str]:
    """The language codes that have a catalogue file."""
    return sorted(p.stem for p in folder.glob("*.json"))


def language_names(folder: Path = I18N_DIR) -> dict[str, str]:
    """Every language that has a catalogue, by code, named in itself (its ``language.name``,
    the code when the catalogue has none): a language menu a speaker can read."""
    return {
        code: _load(code, folder).get("language.name", code) for code in available_languages(folder)
    }


class Catalogue:
    """The strings of one language, English filling any gap."""

    def __init__(self, language: str = DEFAULT_LANGUAGE, folder: Path = I18N_DIR) -> None:
        self.language = language if (folder / f"{language}.json").is_file() else DEFAULT_LANGUAGE
        self._strings = {**_load(DEFAULT_LANGUAGE, folder), **_load(self.language, folder)}
        self.direction = "rtl" if self.language in RTL_LANGUAGES else "ltr"

    def __call__(self, key: str, /, **params: object) -> str:
        """The string for ``key`` with ``params`` filled in (the key itself when unknown)."""
        text = self._strings.get(key, key)
        return text.format(**params) if params else text

    def subset(self, prefix: str) -> dict[str, str]:
        """Every string whose key starts with ``prefix`` (sent to the page's JavaScript)."""
        return {k: v for k, v in self._strings.items() if k.startswith(prefix)}
