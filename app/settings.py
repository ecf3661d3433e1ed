"""Settings read from the environment once, at start-up, and validated there.

Defaults give a newcomer an embedded SQLite database in ``./data`` with no configuration:

- ``QSORT_DATABASE_URL``: any SQLAlchemy URL; default ``sqlite:///<data dir>/qsort.sqlite3``.
- ``QSORT_DATA_DIR``: where the embedded database lives; default ``./data``.
- ``QSORT_SECRET_KEY``: key for signed values; default a random key kept in
  ``<data dir>/secret_key`` so that it survives restarts.
- ``QSORT_SECURE_COOKIES``: ``1`` to mark cookies Secure (behind HTTPS); default off so that a
  laptop serving tablets over plain HTTP in a group room works.
- ``QSORT_DEMO``: ``0`` to skip creating the demo study; default on.
- ``QSORT_MIGRATE_ON_START``: ``0`` when the schema is upgraded apart (``qsort db upgrade``, or
  ``qsort serve --workers N``, which upgrades once before starting its processes); default on.

Capacity and limits (see docs/deployment.md for how they fit together):

- ``QSORT_MAX_CONCURRENT``: requests one process works on at once; also the size of its database
  connection pool, so no request ever waits for a connection; default 16.
- ``QSORT_QUEUE_WAIT``: seconds a request may wait for one of those places before it is answered
  503 with ``Retry-After``; default 3.
- ``QSORT_DB_WAIT``: seconds a request may wait for the database (a connection, or SQLite's write
  lock) before it is answered 503; default 5.
- ``QSORT_MAX_BODY_BYTES``: largest request body on participant paths (``/api/``, ``/j/``,
  ``/join``); default 512 KiB. ``QSORT_MAX_UPLOAD_BYTES``: on every other path (staff uploads);
  default 16 MiB. Larger bodies are refused with 413 before they are read.
- ``QSORT_JOIN_BURST`` and ``QSORT_JOIN_PER_MINUTE``: joins (code checks and consents) one network
  address may make at once and then per minute, per process; defaults 120 and 120.
- ``QSORT_BACKGROUND_SORTS``: analyses of more sorts than this run in the background with a
  progress bar and show a summary page (no sorts x sorts heat map or per-sort tables); default
  10000.
- ``QSORT_RUN_LEASE``: seconds a background run's worker holds it without a heartbeat before
  another process or a later request takes it over (a dead worker's run); default 60.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    migrate_on_start : bool
        Whether start-up upgrades the schema (off for worker processes of ``serve --workers``).
    max_concurrent : int
        Requests worked on at once by one process (and its connection pool size).
    queue_wait : float
        Seconds a request may wait for a place before a 503.
    db_wait : float
        Seconds a request may wait for a connection or a database lock before a 503.
    max_body_bytes : int
        Body limit on participant paths.
    max_upload_bytes : int
        Body limit elsewhere (signed-in staff's uploads).
    join_burst : int
        Joins one address may make at once.
    join_per_minute : int
        Joins one address may make per minute after the burst.
    background_sorts : int
        Analyses of more sorts than this run in the background, with a summary page.
    run_lease : float
        Seconds a background run's lease lasts; its worker renews it every third of that.
    """

    data_dir: Path
    database_url: str
    secret_key: str = field(repr=False)
    secure_cookies: bool = False
    seed_demo: bool = True
    migrate_on_start: bool = True
    max_concurrent: int = 16
    queue_wait: float = 3.0
    db_wait: float = 5.0
    max_body_bytes: int = 512 * 1024
    max_upload_bytes: int = 16 * 1024 * 1024
    join_burst: int = 120
    join_per_minute: int = 120
    background_sorts: int = 10_000
    run_lease: float = 60.0

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
            migrate_on_start=_flag(source, "QSORT_MIGRATE_ON_START", True),
            **_limits(source),
        )


def _limits(source: Mapping[str, str]) -> dict[str, Any]:
    """The capacity settings present in ``source``, each checked to be a positive number."""
    names = {
        "max_concurrent": ("QSORT_MAX_CONCURRENT", int),
        "queue_wait": ("QSORT_QUEUE_WAIT", float),
        "db_wait": ("QSORT_DB_WAIT", float),
        "max_body_bytes": ("QSORT_MAX_BODY_BYTES", int),
        "max_upload_bytes": ("QSORT_MAX_UPLOAD_BYTES", int),
        "join_burst": ("QSORT_JOIN_BURST", int),
        "join_per_minute": ("QSORT_JOIN_PER_MINUTE", int),
        "background_sorts": ("QSORT_BACKGROUND_SORTS", int),
        "run_lease": ("QSORT_RUN_LEASE", float),
    }
    found: dict[str, Any] = {}
    for field_name, (env_name, kind) in names.items():
        raw = source.get(env_name, "").strip()
        if raw:
            found[field_name] = _positive(env_name, raw, kind)
    return found


def _positive(name: str, raw: str, kind: type[int] | type[float]) -> float:
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if not value > 0:
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name}: expected {what} above 0, found {raw!r}")
    return value


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
