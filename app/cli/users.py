"""``qsort user``: make staff accounts, disable them, reset their passwords, list them.

The first admin is made here (``qsort user create EMAIL --role admin --password-stdin``); later
accounts can be made by an admin in the browser as well. Each command writes its line in the
audit record, with no actor (the command line).
"""

from __future__ import annotations

import argparse
import sys

from app.cli.serve import add_data_dir
from app.cli.store import open_store
from qsort.cli.registry import Subparsers

ROLES = ("admin", "researcher", "facilitator")


def register(sub: Subparsers) -> None:
    """Add ``user create|disable|enable|reset|list``."""
    user = sub.add_parser("user", help="manage staff accounts (admins, researchers, facilitators)")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make an account")
    create.add_argument("email", help="the account's e-mail address (its sign-in name)")
    create.add_argument("--role", choices=ROLES, default="researcher", help="default researcher")
    _password_options(create)
    create.set_defaults(handler=cmd_create)
    for name, text in (("disable", "disable an account"), ("enable", "enable it again")):
        parser = actions.add_parser(name, help=text)
        parser.add_argument("email")
        add_data_dir(parser)
        parser.set_defaults(handler=cmd_disable, disabled=name == "disable")
    reset = actions.add_parser("reset", help="give an account a new password")
    reset.add_argument("email")
    _password_options(reset)
    reset.set_defaults(handler=cmd_reset)
    listing = actions.add_parser("list", help="list the accounts")
    add_data_dir(listing)
    listing.set_defaults(handler=cmd_list)


def _password_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input "
        "(otherwise a random one is made and printed once)",
    )
    add_data_dir(parser)


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """The password to set and whether it was made here (and so must be shown)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    import secrets

    return secrets.token_urlsafe(12), True


def _run(args: argparse.Namespace, action: str) -> int:
    """Run one account action on the store and say what was done."""
    from app.services import accounts

    made = False
    with open_store(args) as session:
        if action in ("create", "reset"):
            password, made = _password(args)
        if action == "create":
            accounts.create_user(session, None, args.email, args.role, password)
        else:
            user = accounts.find_user(session, args.email)
            if action == "reset":
                accounts.reset_password(session, None, user, password)
            else:
                accounts.set_disabled(session, None, user, args.disabled)
    print(f"{action}: {args.email.strip().lower()} done")
    if made:
        print(f"password (shown once): {password}")
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    """``qsort user create EMAIL [--role R] [--password-stdin]``."""
    return _run(args, "create")


def cmd_reset(args: argparse.Namespace) -> int:
    """``qsort user reset EMAIL [--password-stdin]``."""
    return _run(args, "reset")


def cmd_disable(args: argparse.Namespace) -> int:
    """``qsort user disable|enable EMAIL``."""
    return _run(args, "disable" if args.disabled else "enable")


def cmd_list(args: argparse.Namespace) -> int:
    """``qsort user list``: e-mail address, role and state of every account."""
    from app import store

    with open_store(args) as session:
        for user in store.all_users(session):
            state = "disabled" if user.disabled_at else "active"
            print(f"{user.email}\t{user.role}\t{state}")
    return 0
