"""``defcoop users ...``: accounts of the web application (roles, passwords, API tokens)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from defcoop.cli._store import DbOption, JsonOption, err_console, open_store
from defcoop.cli.app import app

users_app = typer.Typer(
    name="users",
    help="Users of the web app: viewer (reads), editor (curates), admin (manages users).",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

REFUSED = 1
NameArgument = Annotated[str, typer.Argument(metavar="NAME", help="User name.")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input (for scripts).",
    ),
]


def _password(stdin: bool) -> str:
    if stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    pw: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return pw


def _fail(message: str) -> None:
    err_console().print(f"error: {message}", markup=False)
    raise typer.Exit(REFUSED)


@users_app.command("add")
def add_cmd(
    name: NameArgument,
    role: Annotated[str, typer.Option("--role", "-r", help="viewer, editor or admin.")] = "viewer",
    password_stdin: PasswordStdin = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="A token-only user (no browser login).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add a user; asks for the password (twice) unless --password-stdin or --no-password."""
    from defcoop.store.users import UserError, add_user

    password = None if no_password else _password(password_stdin)
    with open_store(db) as store:
        try:
            u = add_user(store, name, role, password)
        except UserError as err:
            _fail(str(err))
            return
    Console(highlight=False).print(f"user {u.name} added ({u.role})", markup=False)


@users_app.command("list")
def list_cmd(db: DbOption = None, json_out: JsonOption = False) -> None:
    """List users with their role, whether they can log in, and their API tokens."""
    from defcoop.store.users import list_tokens, list_users

    with open_store(db) as store:
        users = list_users(store)
        tokens = list_tokens(store)
    if json_out:
        rows = [
            {**u.to_dict(), "tokens": [t.to_dict() for t in tokens if t.user == u.name]}
            for u in users
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    t = Table(title=f"{len(users)} users")
    for col in ("name", "role", "active", "password", "tokens (active)"):
        t.add_column(col)
    for u in users:
        mine = [k for k in tokens if k.user == u.name and not k.revoked]
        t.add_row(u.name, u.role, "yes" if u.active else "no", "yes" if u.has_password else "no",
                  ", ".join(f"{k.id}:{k.prefix}…" for k in mine))  # fmt: skip
    Console().print(t)


@users_app.command("token")
def token_cmd(
    name: NameArgument,
    label: Annotated[str | None, typer.Option("--label", help="What the token is for.")] = None,
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Expires after this many days.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Issue an API token for NAME and print it once (send it as `Authorization: Bearer`)."""
    from defcoop.store.users import UserError, create_token

    with open_store(db) as store:
        try:
            token, view = create_token(store, name, label=label, days=days)
        except UserError as err:
            _fail(str(err))
            return
    err_console().print(f"token {view.id} for {name} (shown once, store it now):", markup=False)
    typer.echo(token)


@users_app.command("role")
def role_cmd(
    name: NameArgument,
    role: Annotated[str, typer.Argument(metavar="ROLE", help="viewer, editor or admin.")],
    db: DbOption = None,
) -> None:
    """Change a user's role."""
    from defcoop.store.users import UserError, set_role

    with open_store(db) as store:
        try:
            u = set_role(store, name, role)
        except UserError as err:
            _fail(str(err))
            return
    Console(highlight=False).print(f"user {u.name} is now {u.role}", markup=False)


@users_app.command("passwd")
def passwd_cmd(
    name: NameArgument, password_stdin: PasswordStdin = False, db: DbOption = None
) -> None:
    """Set a user's password (their browser sessions end)."""
    from defcoop.store.users import UserError, set_password

    password = _password(password_stdin)
    with open_store(db) as store:
        try:
            set_password(store, name, password)
        except UserError as err:
            _fail(str(err))
            return
    Console(highlight=False).print(f"password of {name} changed", markup=False)


@users_app.command("disable")
def disable_cmd(
    name: NameArgument,
    enable: Annotated[bool, typer.Option("--enable", help="Enable the user again.")] = False,
    db: DbOption = None,
) -> None:
    """Disable a user (no login, tokens refused, sessions end); --enable undoes it."""
    from defcoop.store.users import UserError, set_active

    with open_store(db) as store:
        try:
            u = set_active(store, name, enable)
        except UserError as err:
            _fail(str(err))
            return
    Console(highlight=False).print(
        f"user {u.name} {'enabled' if u.active else 'disabled'}", markup=False
    )


@users_app.command("revoke")
def revoke_cmd(
    token_id: Annotated[int, typer.Argument(metavar="TOKEN_ID", help="Id from `users list`.")],
    db: DbOption = None,
) -> None:
    """Revoke an API token."""
    from defcoop.store.users import UserError, revoke_token

    with open_store(db) as store:
        try:
            t = revoke_token(store, token_id)
        except UserError as err:
            _fail(str(err))
            return
    Console(highlight=False).print(f"token {t.id} of {t.user} revoked", markup=False)
