"""The study store as every staff command opens it.

``qsort user``, ``study``, ``data`` and the like work on the same store as ``qsort serve``
(``--data-dir``, ``QSORT_DATA_DIR`` or ``QSORT_DATABASE_URL``): :func:`open_store` opens it,
brings its schema up to date, hands the command one session and commits it when the command's
block ends. What the app refuses (an :class:`~app.errors.AppError`: no such study, an account that
exists already) becomes a :class:`StoreCommandError`, which the ``qsort`` dispatch prints as one
line (``qsort: error: ...``) with exit status 2; nothing is committed then.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from app.cli.serve import settings_for
from qsort.errors import QsortError

if TYPE_CHECKING:
    from sqlmodel import Session


class StoreCommandError(QsortError):
    """The app refused what a staff command asked of the store; the message says why."""


@contextmanager
def open_store(args: argparse.Namespace) -> Iterator[Session]:
    """A session on the command's store, upgraded to the newest schema, committed on success.

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments (``--data-dir`` chooses the store).

    Raises
    ------
    StoreCommandError
        When the app refuses the command (an ``AppError``, whose detail becomes the message).
    """
    settings = settings_for(args)
    from sqlmodel import Session

    from app import db
    from app.errors import AppError

    engine = db.make_engine(settings)
    try:
        db.upgrade(engine, settings)
        with Session(engine) as session:
            yield session
            session.commit()
    except AppError as exc:
        raise StoreCommandError(exc.detail or exc.code) from None
    finally:
        engine.dispose()


__all__ = ["StoreCommandError", "open_store"]
