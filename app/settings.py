"""Settings read from the environment once, at start-up, and validated there.

Defaults give a newcomer an embedded SQLite database in ``./data`` with no configuration:

- ``QSORT_DATABASE_URL``: any SQLAlchemy URL; default ``sqlite:///<data dir>/qsort.sqlite3``.
- ``QSORT_DATA_DIR``: where the embedded database lives; default ``./data``.
- ``QSORT_SECRET_KEY``: key for signed values; default a random key kept in
  ``<data dir>/secret_key`` so that it survives restarts.
- ``QSORT_SECURE_COOKIES``: ``1`` to mark cookies Secure (behind HTTPS); default off so that a
  laptop serving tablets over plain HTTP in a group room works.
- ``QSORT_DEMO``: ``0`` to skip creating the demo study; default on.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class SettingsError(ValueError):
    """A setting in the environment has a value the app cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about where it runs.

    Attributes
    ----------
    data_dir : Path
        Folder for the embedded database and the secret key file.
    database_url : str
        SQLAlchemy URL of the study store.
    secret_key : str
        Key for signed values (never shown to anyone).
    secure_cookies : bool
        Whether cookies carry the Secure flag.
    seed_demo : bool
        Whether start-up creates the demo study when it is missing.
    """

    data_dir: Path
    database_url: str
    secret_key: str = field(repr=False)
    secure_cookies: bool = False
    seed_demo: bool = True

    @property
    def is_sqlite(self) -> bool:
        """True when the store is an SQLite file (WAL mode and a busy timeout then apply)."""
        return self.database_url.startswith("sqlite")

    @classmethod
    def for_data_dir(cls, data_dir: Path | str, **overrides: object) -> Settings:
        """Settings for an embedded SQLite store in ``data_dir`` (used by ``serve`` and tests)."""
        env = dict(os.environ)
        env["QSORT_DATA_DIR"] = str(data_dir)
        env.pop("QSORT_DATABASE_URL", None)
        base = cls.from_env(env)
        values = {**base.__dict__, **overrides}
        return cls(**values)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the settings from ``env`` (default: the process environment)."""
        source = os.environ if env is None else env
        data_dir = Path(source.get("QSORT_DATA_DIR", "data")).expanduser().resolve()
        url = source.get("QSORT_DATABASE_URL", "").strip()
        if not url:
            url = f"sqlite:///{data_dir / 'qsort.sqlite3'}"
        if "://" not in url:
            raise SettingsError(
                f"QSORT_DATABASE_URL: expected a URL such as sqlite:///path or "
                f"postgresql://user@host/db, found {url!r}"
            )
        return cls(
            data_dir=data_dir,
            database_url=url,
            secret_key=source.get("QSORT_SECRET_KEY", "") or _stored_key(data_dir),
            secure_cookies=_flag(source, "QSORT_SECURE_COOKIES", False),
            seed_demo=_flag(source, "QSORT_DEMO", True),
        )


def _flag(source: Mapping[str, str], name: str, default: bool) -> bool:
    raw = source.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise SettingsError(f"{name}: expected one of 1/0, true/false, yes/no, on/off, found {raw!r}")


def _stored_key(data_dir: Path) -> str:
    """Return the key kept in ``data_dir/secret_key``, creating it (mode 600) the first time."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key
