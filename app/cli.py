"""The `agora` command: database, seed, users and the server."""

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app import seed
from app.accounts import service as accounts
from app.accounts.schemas import UserCreate
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import PROJECT_DIR, get_settings
from app.core.db import session_factory
from app.core.errors import DomainError


def alembic_config() -> Config:
    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_DIR / "migrations"))
    return config


def in_transaction(work: Callable[[Session], None]) -> None:
    """One transaction per command: all of it is saved, or none of it."""
    with session_factory() as session, session.begin():
        work(session)


def db_upgrade(_: argparse.Namespace) -> None:
    command.upgrade(alembic_config(), "head")


def load_seed(args: argparse.Namespace) -> None:
    def work(session: Session) -> None:
        report = seed.load_seed(session, get_settings(), Path(args.seed_dir))
        if args.demo:
            _print_demo_accounts(seed.create_demo_accounts(session))
            report.enrolments = seed.enrol_demo_accounts(session)
        print(f"seed: {report}")

    in_transaction(work)


def _print_demo_accounts(created: list[tuple[seed.DemoAccount, str]]) -> None:
    if not created:
        print("demo accounts: already created (passwords in var/demo-accounts.txt)")
        return
    path = seed.remember_demo_passwords(created)
    print("\nDEMO accounts (for trying Agora locally; never use them in production):")
    for demo, password in created:
        print(f"  [demo] {demo.role:<8} {demo.email:<24} password: {password}")
    print(f"  (also kept in {path})\n")


def create_user(args: argparse.Namespace) -> None:
    password = args.password or getpass.getpass("Password (10+ characters): ")
    role = PlatformRole.ADMIN if args.admin else PlatformRole(args.role)

    def work(session: Session) -> None:
        data = UserCreate(
            email=args.email, display_name=args.name, password=password, platform_role=role
        )
        user = accounts.create_user(session, SYSTEM, data)
        print(f"created user {user.id} <{user.email}> ({user.platform_role})")

    in_transaction(work)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=not args.no_access_log,
        proxy_headers=True,
    )


def send_reminders(args: argparse.Namespace) -> None:
    """Run once (for cron or a systemd timer), or every N seconds with --every."""
    import time

    from app.webinars.reminders import send_due_reminders

    while True:
        sent = send_due_reminders(session_factory, get_settings())
        print(f"reminders sent: {sent}")
        if not args.every:
            return
        time.sleep(args.every)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agora", description="Agora learning platform")
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply all migrations").set_defaults(func=db_upgrade)

    seed_cmd = commands.add_parser("seed", help="load courses_seed/ (idempotent)")
    seed_cmd.add_argument("--seed-dir", default=str(seed.SEED_DIR))
    seed_cmd.add_argument("--demo", action="store_true", help="also create demo accounts")
    seed_cmd.set_defaults(func=load_seed)

    user = commands.add_parser("user", help="users").add_subparsers(
        dest="user_command", required=True
    )
    create = user.add_parser("create", help="create a user")
    create.add_argument("email")
    create.add_argument("--name", required=True)
    create.add_argument("--password", help="prompted for when omitted")
    create.add_argument("--admin", action="store_true")
    create.add_argument("--role", choices=[r.value for r in PlatformRole], default="user")
    create.set_defaults(func=create_user)

    serve_cmd = commands.add_parser("serve", help="run the web server")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--workers", type=int, default=1)
    serve_cmd.add_argument("--no-access-log", action="store_true")
    serve_cmd.set_defaults(func=serve)

    reminders = commands.add_parser("reminders", help="send due webinar reminders")
    reminders.add_argument("--every", type=int, default=0, help="repeat every N seconds")
    reminders.set_defaults(func=send_reminders)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    get_settings()  # refuse a bad configuration before doing anything
    try:
        args.func(args)
    except DomainError as error:
        print(f"agora: {error.detail}", file=sys.stderr)
        return 1
    except ValidationError as error:
        for problem in error.errors():
            print(f"agora: {'.'.join(map(str, problem['loc']))}: {problem['msg']}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
