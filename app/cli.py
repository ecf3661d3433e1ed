"""Web commands for the ``qsort`` command line: ``serve`` and ``db upgrade``.

``qsort/cli.py`` (the lead's) imports this module lazily, only when one of these subcommands is
used, so the analysis engine never loads the web stack. ``python -m app serve`` works too.
"""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

from app.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def add_web_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``serve`` and ``db upgrade`` on a ``qsort`` subparser set."""
    serve = subparsers.add_parser("serve", help="run the web app for participants")
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help="address to listen on (0.0.0.0 lets tablets in the room reach it)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8000)")
    serve.add_argument("--data-dir", type=Path, default=None,
                       help="folder for the embedded database (default ./data or QSORT_DATA_DIR)")
    serve.set_defaults(web_command="serve")
    db = subparsers.add_parser("db", help="manage the study store")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="bring the database to the newest schema")
    upgrade.add_argument("--data-dir", type=Path, default=None)
    upgrade.set_defaults(web_command="db-upgrade")


def _settings(data_dir: Path | None) -> Settings:
    return Settings.for_data_dir(data_dir) if data_dir is not None else Settings.from_env()


def run_web_command(args: argparse.Namespace) -> int:
    """Run the subcommand parsed by :func:`add_web_commands`; return the exit status."""
    settings = _settings(getattr(args, "data_dir", None))
    if args.web_command == "db-upgrade":
        return _upgrade(settings)
    if args.web_command == "serve":
        return _serve(settings, args.host, args.port)
    raise SystemExit(f"unknown web command {args.web_command!r}")


def _upgrade(settings: Settings) -> int:
    from app import db

    engine = db.make_engine(settings)
    db.upgrade(engine, settings)
    engine.dispose()
    print(f"database is up to date: {_safe_url(settings)}")
    return 0


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def _announce(settings: Settings, host: str, port: int) -> None:
    from app.demo import DEMO_CODE

    shown = "127.0.0.1" if host in ("127.0.0.1", "localhost") else _lan_address()
    print(f"qsort is running. Open http://{shown}:{port}/ in a browser.")
    if host == "0.0.0.0":
        print(f"  (tablets on the same network: http://{shown}:{port}/)")
    if settings.seed_demo:
        print(f"  Join code for the demo study: {DEMO_CODE}   (or go straight to "
              f"http://{shown}:{port}/j/{DEMO_CODE})")
    print(f"  Data: {_safe_url(settings)}   Stop with Ctrl+C.")


def _lan_address() -> str:
    """This machine's address on the local network, without sending anything anywhere."""
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def _serve(settings: Settings, host: str, port: int) -> int:
    import uvicorn

    from app.main import create_app

    app = create_app(settings)
    _announce(settings, host, port)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry for ``python -m app``."""
    parser = argparse.ArgumentParser(prog="python -m app", description="qsort web app")
    add_web_commands(parser.add_subparsers(dest="command", required=True))
    return run_web_command(parser.parse_args(argv))
