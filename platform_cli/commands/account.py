"""signup, login, logout, and user add --staff."""

from __future__ import annotations

import sys

import typer

from platform_cli.workspace import Workspace

PasswordStdin = typer.Option(False, "--password-stdin", help="Read the password from stdin (for scripts); never from the command line.")
users = typer.Typer(help="Accounts kept by the gateway.", no_args_is_help=True)


def signup(ctx: typer.Context, email: str = typer.Argument(..., help="The account's email address."), password_stdin: bool = PasswordStdin) -> None:
    """Make an account at the gateway and log in with it."""
    ws: Workspace = ctx.obj
    password = _password(password_stdin, confirm=True)
    gateway = _gateway(ws)
    made = gateway.post("auth", "signup", body={"email": email, "password": password})
    _sign_in(ws, gateway, made["email"], password)


def login(ctx: typer.Context, email: str = typer.Argument(..., help="The account's email address."), password_stdin: bool = PasswordStdin) -> None:
    """Log in at the gateway; the token is kept (0600) under the data dir."""
    ws: Workspace = ctx.obj
    _sign_in(ws, _gateway(ws), email, _password(password_stdin, confirm=False))


def whoami(ctx: typer.Context) -> None:
    """Show the login: email, role and user id (what --user takes), as the gateway knows it."""
    from platform_cli.errors import LoginNeededError, ServiceDownError

    ws: Workspace = ctx.obj
    login = ws.session.load()
    if login is None:
        raise LoginNeededError("not logged in", hint="log in with `platform login EMAIL` (or make an account with `platform signup EMAIL`)")
    gateway = _gateway(ws)
    gateway.token = login["token"]
    try:
        me = gateway.get("auth", "me")
    except ServiceDownError as exc:  # the saved login is still worth showing, said to be unchecked
        me = login
        ws.err.print(f"note: {exc.message}; showing the saved login, unchecked", markup=False)
    ws.out.print(f"{me['email']} ({me['role']}), user id {me['user_id']}", markup=False)


def logout(ctx: typer.Context) -> None:
    """Forget the login."""
    ws: Workspace = ctx.obj
    ws.out.print("logged out" if ws.session.forget() else "not logged in")


@users.command("add")
def user_add(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The account's email address."),
    staff: bool = typer.Option(False, "--staff", help="A staff account (the only kind made here)."),
    password_stdin: bool = PasswordStdin,
) -> None:
    """Make (or promote) a staff account, on this machine only: never over HTTP."""
    from platform_cli.clients.session import request_staff

    if not staff:
        raise typer.BadParameter("customers sign up themselves (`platform signup`); here only --staff", param_hint="--staff")
    ws: Workspace = ctx.obj
    password = _password(password_stdin, confirm=True)
    # The gateway checks the email and password with its own policy and writes its own format.
    request_staff(ws.settings.data_dir, ws.settings.project_dir, email, password)
    ws.out.print(f"staff account for {email}: the gateway takes it at its next sign-in or start", markup=False)


def _sign_in(ws: Workspace, gateway, email: str, password: str) -> None:
    signed_in = gateway.post("auth", "signin", body={"email": email, "password": password})
    ws.session.save(signed_in)
    ws.remember_project()
    ws.out.print(f"logged in as {signed_in['email']} ({signed_in['role']}), user id {signed_in['user_id']}")


def _gateway(ws: Workspace):
    from platform_cli.clients.services import ServiceClient
    from platform_cli.errors import ConfigError

    spec = ws.project.processes.get("gateway")
    if spec is None or spec.url is None:
        raise ConfigError("the Procfile has no gateway: accounts live there", hint="add `gateway: python -m services.gateway`")
    return ServiceClient("gateway", spec.url)


def _password(from_stdin: bool, confirm: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("password", hide_input=True, confirmation_prompt=confirm)
