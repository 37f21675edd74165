"""`helpdesk-server`: serve the API, migrate the schema, create users, load demo data.

helpdesk-server [serve] [--database URL] [--host H] [--port P] [--workers N]
helpdesk-server migrate [--database URL]
helpdesk-server create-user USERNAME --role admin [--password-stdin]
helpdesk-server demo [--tickets N] [--password PW]
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import secrets
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from sync.server.config import MailConfig, ServerConfig, default_database_url

log = logging.getLogger("helpdesk.server")
SECRET_ENV = "HELPDESK_SERVER_SECRET"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: SQLite file)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="helpdesk-server", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the API server (the default)")
    _common(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8750)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--blob-dir", type=Path, default=None)
    serve.add_argument("--smtp-listen-port", type=int, default=None, help="incoming mail")
    serve.add_argument("--smtp-host", default=None, help="outgoing mail relay")
    serve.add_argument("--smtp-port", type=int, default=25)
    serve.add_argument("--group-address", default=MailConfig.group_address)
    serve.add_argument("--mail-team", default=None, help="team id of tickets opened by mail")
    serve.add_argument("--log-level", default="info")
    migrate = sub.add_parser("migrate", help="create or upgrade the schema")
    _common(migrate)
    user = sub.add_parser("create-user", help="create a user (e.g. the first admin)")
    _common(user)
    user.add_argument("username")
    user.add_argument("--role", default="admin", choices=["admin", "supervisor", "agent"])
    user.add_argument("--display-name", default=None)
    user.add_argument("--email", default=None)
    user.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    demo = sub.add_parser("demo", help="load demo data (Persian tickets, teams, users)")
    _common(demo)
    demo.add_argument("--tickets", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--password", default=None, help="password of every demo user")
    return parser


def server_secret() -> bytes:
    """From the environment or the OS keyring; a fresh random one is stored in the
    keyring when neither has it (never in a plain file)."""
    value = os.environ.get(SECRET_ENV)
    if value:
        return value.encode()
    try:
        import keyring

        stored = keyring.get_password("helpdesk-server", "secret")
        if stored is None:
            stored = secrets.token_hex(32)
            keyring.set_password("helpdesk-server", "secret", stored)
        return stored.encode()
    except Exception:
        log.warning("no keyring and no %s: reply addresses change on restart", SECRET_ENV)
        return secrets.token_bytes(32)


def _url(args: argparse.Namespace) -> str:
    return str(args.database or default_database_url())


def _prepare(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def cmd_migrate(args: argparse.Namespace) -> int:
    from sync.server.database import migrate, server_engine

    url = _url(args)
    _prepare(url)
    engine = server_engine(url)
    migrate(engine)
    engine.dispose()
    print("schema is at head")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import ENV_CONFIG, config_to_env

    url = _url(args)
    _prepare(url)
    cmd_migrate(args)
    config = ServerConfig(database_url=url, host=args.host, port=args.port, workers=args.workers)
    config = replace(
        config,
        secret=server_secret(),
        mail=MailConfig(
            group_address=args.group_address,
            smtp_host=args.smtp_host,
            smtp_port=args.smtp_port,
            listen_host=args.host,
            listen_port=args.smtp_listen_port,
            team_id=args.mail_team,
        ),
    )
    if args.blob_dir is not None:
        config = replace(config, blob_dir=args.blob_dir)
    os.environ[ENV_CONFIG] = config_to_env(config)
    from sync.server import workers
    from sync.server.database import server_engine
    from sync.server.mailroom import Mailroom

    engine = server_engine(url)
    with Mailroom(engine, config):
        if args.workers > 1 and workers.supported():
            workers.run(args.host, args.port, args.workers, args.log_level)
        else:
            uvicorn.run(
                "sync.server.app:app_from_env",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                log_level=args.log_level,
                timeout_graceful_shutdown=5,
            )
    engine.dispose()
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from core.enums import Role
    from core.models import User
    from sync.server.auth import hash_password
    from sync.server.database import migrate, server_engine, server_sessions

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
    if len(password) < 8:
        print("create-user: the password needs at least 8 characters", file=sys.stderr)
        return 2
    url = _url(args)
    _prepare(url)
    engine = server_engine(url)
    migrate(engine)
    with server_sessions(engine)() as session:
        if session.scalar(select(User).where(User.username == args.username)) is not None:
            print(f"create-user: {args.username!r} already exists", file=sys.stderr)
            return 2
        session.add(
            User(
                username=args.username,
                display_name=args.display_name or args.username,
                email=args.email,
                role=Role(args.role),
                password_hash=hash_password(password),
            )
        )
        session.commit()
    engine.dispose()
    print(f"created {args.role} {args.username}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from sync.server.demo import load_demo

    url = _url(args)
    _prepare(url)
    password = args.password or secrets.token_urlsafe(9)
    with tempfile.TemporaryDirectory() as tmp:
        stats = load_demo(url, tickets=args.tickets, seed=args.seed, password=password, tmp=tmp)
    print(f"loaded {stats} rows; every demo user's password: {password}")
    return 0


COMMANDS = {
    "serve": cmd_serve,
    "migrate": cmd_migrate,
    "create-user": cmd_create_user,
    "demo": cmd_demo,
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "serve")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
