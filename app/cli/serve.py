"""``qsort serve`` (the web app) and ``qsort db upgrade`` (the schema).

``serve`` tells the room where to go: every network address of this machine with the join link,
and a QR code of the demo's join link drawn in the terminal (no network is used for either).

Requests are read by httptools on uvloop's event loop when they are installed (the web extra
installs both where they exist), uvicorn's faster choices over its pure-Python ones.

``serve --workers N`` runs N processes on one port (uvicorn's process manager): the store is
upgraded once first, then each worker builds its app from the environment through the factory
``app.main:create_app``. Behind a reverse proxy, ``--forwarded-allow-ips`` names the proxy so
that the client's address (for the join rate limit) and scheme come from its headers.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.network import ALL_INTERFACES, LISTEN_HOST_ENV
from qsort.cli.registry import Subparsers

if TYPE_CHECKING:
    from app.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WEB_EXTRA_HINT = "install the web app with: pip install 'qsort[web]'"
#: Warnings only, and no line per request (an access log costs time on every autosave).
QUIET: dict[str, Any] = {"log_level": "warning", "access_log": False}
WEB_MODULES = ("fastapi", "sqlmodel", "alembic", "uvicorn", "jinja2", "segno", "ifaddr")


def register(sub: Subparsers) -> None:
    """Add ``serve`` and ``db upgrade``."""
    serve = sub.add_parser(
        "serve", help="run the web app (participants, researchers, facilitators)"
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default 127.0.0.1; 0.0.0.0 lets tablets in the room reach it)",
    )
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8000)")
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="app processes sharing the port (default 1); more than one needs PostgreSQL "
        "to scale (SQLite works, but writes one at a time)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="IPS",
        help="addresses of a reverse proxy whose X-Forwarded-For/-Proto headers are trusted "
        "(comma-separated, e.g. 127.0.0.1); default: trust no proxy headers",
    )
    add_data_dir(serve)
    serve.set_defaults(handler=cmd_serve)
    db = sub.add_parser("db", help="manage the study store's schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="bring the database to the newest schema")
    add_data_dir(upgrade)
    upgrade.set_defaults(handler=cmd_db_upgrade)


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """The ``--data-dir`` option every command on the store shares."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder of the embedded database (default: QSORT_DATA_DIR, else ./data); "
        "QSORT_DATABASE_URL chooses another database",
    )


def settings_for(args: argparse.Namespace) -> Settings:
    """The store the command works on: ``--data-dir``, else the environment's.

    Exits with a one-line hint when the web extra is not installed.
    """
    require_web_stack()
    from app.settings import Settings

    data_dir = getattr(args, "data_dir", None)
    return Settings.for_data_dir(data_dir) if data_dir is not None else Settings.from_env()


def require_web_stack() -> None:
    """Exit with one line saying what to install when the web packages are missing."""
    missing = [m for m in WEB_MODULES if not _importable(m)]
    if missing:
        print(
            f"qsort: error: the web app needs {', '.join(missing)}; {WEB_EXTRA_HINT}",
            file=sys.stderr,
        )
        raise SystemExit(2)


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """``qsort db upgrade``: apply the migrations."""
    from app import db

    settings = settings_for(args)
    engine = db.make_engine(settings)
    db.upgrade(engine, settings)
    engine.dispose()
    print(f"database is up to date: {safe_url(settings)}")
    return 0


def safe_url(settings: Settings) -> str:
    """The database URL with any password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def cmd_serve(args: argparse.Namespace) -> int:
    """``qsort serve``: start the app and say where to reach it."""
    settings = settings_for(args)
    import uvicorn

    from app.main import create_app

    proxy = {
        "proxy_headers": args.forwarded_allow_ips is not None,
        "forwarded_allow_ips": args.forwarded_allow_ips,
    }
    if args.workers == 1:
        app = create_app(settings)
        app.state.listen_host = args.host  # join links then use a network address (services.room)
        announce(settings, args.host, args.port)
        uvicorn.run(app, host=args.host, port=args.port, **QUIET, **proxy)
        return 0
    prepare_for_workers(settings)
    os.environ[LISTEN_HOST_ENV] = args.host  # each worker's app reads it (services.room)
    announce(settings, args.host, args.port)
    print(f"{args.workers} worker processes.")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        **QUIET,
        **proxy,
    )
    return 0


def prepare_for_workers(settings: Settings) -> None:
    """Upgrade the store once, then tell the workers (through the environment) where it is."""
    import os

    from app import db
    from app.main import prepare_store

    engine = db.make_engine(settings)
    try:
        prepare_store(engine, settings)
    finally:
        engine.dispose()
    os.environ["QSORT_DATA_DIR"] = str(settings.data_dir)
    os.environ["QSORT_DATABASE_URL"] = settings.database_url
    os.environ["QSORT_MIGRATE_ON_START"] = "0"


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, found {raw}")
    return value


def announce(settings: Settings, host: str, port: int) -> None:
    """Print the addresses to open, the demo's join code and its QR code."""
    from app.cli.network import join_qr_text, reachable_hosts
    from app.demo import DEMO_CODE, DEMO_EMAIL, demo_password

    hosts = reachable_hosts(host)
    print("qsort is running. Open in a browser:")
    for shown in hosts:
        print(f"  http://{_bracketed(shown)}:{port}/")
    if host in ALL_INTERFACES and hosts == ["127.0.0.1"]:
        print("  (no network address found: only this machine can reach it)")
    if settings.seed_demo:
        link = f"http://{_bracketed(hosts[-1])}:{port}/j/{DEMO_CODE}"
        print(f"Join code for the demo study: {DEMO_CODE}   or open {link}")
        if host not in ("127.0.0.1", "localhost"):
            print(join_qr_text(link))
        staff = f"http://{_bracketed(hosts[0])}:{port}/signin"
        print(f"Researchers sign in at {staff}")
        print(f"  demo account: {DEMO_EMAIL}   password: {demo_password(settings.data_dir)}")
        print("  (it owns only the demo study; make your own with: qsort user create)")
    print(f"Data: {safe_url(settings)}   Stop with Ctrl+C.")
    sys.stdout.flush()


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host
