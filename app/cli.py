"""The `agora` command: database, seed, users, stored files and the server.

Imports stay inside the commands: with `--workers`, each worker process imports this module
again before it answers the supervisor's first health check, so it must load in milliseconds
(`python -X importtime -c "import app.cli"`)."""

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from alembic.config import Config
    from fastapi import FastAPI
    from sqlalchemy.orm import Session

    from app import seed


def alembic_config() -> "Config":
    from alembic.config import Config

    from app.core.config import PROJECT_DIR

    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_DIR / "migrations"))
    return config


def in_transaction(work: Callable[["Session"], None]) -> None:
    """One transaction per command: all of it is saved, or none of it. Every domain's event
    subscribers are registered first, as in the app."""
    from app import subscribers  # noqa: F401
    from app.core.db import session_factory

    with session_factory() as session, session.begin():
        work(session)


def db_upgrade(_: argparse.Namespace) -> None:
    from alembic import command

    command.upgrade(alembic_config(), "head")


def load_seed(args: argparse.Namespace) -> None:
    from app import assessment_seed, community_seed, credits_seed, reporting_seed, seed
    from app.core.config import get_settings

    def work(session: "Session") -> None:
        seed_dir = Path(args.seed_dir) if args.seed_dir else seed.SEED_DIR
        report = seed.load_seed(session, get_settings(), seed_dir)
        if args.demo:
            _print_demo_accounts(seed.create_demo_accounts(session))
            report.enrolments = seed.enrol_demo_accounts(session)
            assessment_seed.seat_juries(session, get_settings(), seed_dir)
            community_seed.open_welcome_space(session)
        credits_seed.load(session, get_settings(), seed_dir, demo=args.demo)
        reporting_seed.load_reporting(session, seed_dir)
        print(f"seed: {report}")

    in_transaction(work)


def _print_demo_accounts(created: "list[tuple[seed.DemoAccount, str]]") -> None:
    from app import seed

    if not created:
        print("demo accounts: already created (passwords in var/demo-accounts.txt)")
        return
    path = seed.remember_demo_passwords(created)
    print("\nDEMO accounts (for trying Agora locally; never use them in production):")
    for demo, password in created:
        print(f"  [demo] {demo.role:<8} {demo.email:<24} password: {password}")
    print(f"  (also kept in {path})\n")


def create_user(args: argparse.Namespace) -> None:
    from app.accounts import service as accounts
    from app.accounts.schemas import UserCreate
    from app.core.actors import SYSTEM, PlatformRole

    password = args.password or getpass.getpass("Password (10+ characters): ")
    role = PlatformRole.ADMIN if args.admin else PlatformRole(args.role)

    def work(session: "Session") -> None:
        data = UserCreate(
            email=args.email, display_name=args.name, password=password, platform_role=role
        )
        user = accounts.create_user(session, SYSTEM, data)
        print(f"created user {user.id} <{user.email}> ({user.platform_role})")

    in_transaction(work)


def collect_stored_garbage(args: argparse.Namespace) -> None:
    """Delete stored files no row references, older than --min-age-minutes."""
    from app import models  # noqa: F401  (every model's storage-key columns)
    from app.core.config import get_settings
    from app.core.storage import collect_garbage, storage_for

    def work(session: "Session") -> None:
        storage = storage_for(get_settings())
        older_than = timedelta(minutes=args.min_age_minutes)
        removed = collect_garbage(session, storage, older_than, dry_run=args.dry_run)
        verb = "would remove" if args.dry_run else "removed"
        for key in removed:
            print(f"{verb} {key}")
        print(f"storage gc: {verb} {len(removed)} unreferenced file(s)")

    in_transaction(work)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from app.core.config import get_settings

    _development_base_url(args.host, args.port)
    uvicorn.run(
        "app.cli:served_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=not args.no_access_log,
        proxy_headers=True,
        timeout_worker_healthcheck=(
            args.worker_healthcheck_timeout or get_settings().worker_healthcheck_timeout
        ),
    )


def served_app() -> "FastAPI":
    """The application each `agora serve` process imports and builds, with the cyclic garbage
    collector paused meanwhile: the 200,000 objects made then are none of them garbage, and
    the collections they set off took a fifth of a worker's start-up. What is built is then
    frozen (`gc.freeze`), so that later collections do not walk it again."""
    import gc

    gc.disable()
    try:
        from app.main import create_app

        app = create_app()
    finally:
        gc.enable()
    gc.freeze()
    return app


def _development_base_url(host: str, port: int) -> None:
    """In development only, an unset BASE_URL becomes the address being served, so that
    e-mailed and calendar links work on any port; a warning says so at start-up. Elsewhere
    an unset BASE_URL is kept (a container may learn its address late) but warned about."""
    import logging
    import os

    from app.core import config

    settings = config.get_settings()
    if settings.base_url_given:
        return
    if settings.agora_env != "development":
        logging.getLogger("agora.serve").warning(
            "BASE_URL is unset: links in e-mails and calendar feeds point to %s. Set BASE_URL "
            "to the public address people use, e.g. https://agora.example.org.",
            settings.base_url,
        )
        return
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    base_url = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    os.environ["BASE_URL"] = base_url  # for this process and the workers it starts
    clear = getattr(config.get_settings, "cache_clear", None)  # read again, with it
    if clear is not None:
        clear()
    logging.getLogger("agora.serve").warning(
        "BASE_URL is unset: links in e-mails and calendar feeds point to %s (development "
        "only). Set BASE_URL to the address people use.",
        base_url,
    )


def worker_round(worker: str, now: "datetime | None" = None) -> int:
    """What a worker does each round: queue the webinar reminders, the daily digests and the
    monthly reports that are due, delete what has outlived its retention setting, then
    deliver the outbox. Returns how many messages were delivered."""
    from app.core import outbox
    from app.core.config import get_settings
    from app.core.db import session_factory
    from app.notifications.digests import gather_digests
    from app.privacy.service.retention import apply_retention
    from app.reporting.mailing import queue_monthly_reports
    from app.webinars.reminders import queue_due_reminders

    settings = get_settings()
    queue_due_reminders(session_factory, now)
    gather_digests(session_factory, settings, now)
    apply_retention(session_factory, settings, now)
    queue_monthly_reports(session_factory, now)
    return outbox.deliver_due(session_factory, settings, worker=worker)


def run_worker(args: argparse.Namespace) -> None:
    """Send what is due (reminders, digests, notification mail, webhooks): once, or every N
    seconds with --every. Several workers may run at once, on one machine or several; none
    sends a message twice."""
    import os
    import socket
    import time

    worker = f"{socket.gethostname()}:{os.getpid()}"[:64]
    while True:
        delivered = worker_round(worker)
        print(f"outbox messages delivered: {delivered}", flush=True)
        if not args.every:
            return
        time.sleep(args.every)


def list_parked(_args: argparse.Namespace) -> None:
    """The messages the outbox gave up on, with their last error."""
    from app.core import outbox
    from app.core.db import session_factory

    with session_factory() as session:
        for message in outbox.parked(session):
            print(f"{message.id}\t{message.kind}\t{message.finished_at:%Y-%m-%d %H:%M}Z\t"
                  f"{message.attempts} attempts\t{message.last_error}")  # fmt: skip


def retry_parked(args: argparse.Namespace) -> None:
    from app.core import outbox
    from app.core.db import session_factory
    from app.core.errors import NotFound

    with session_factory() as session:
        if not outbox.requeue(session, args.message_id):
            raise NotFound(f"no parked message {args.message_id}")
        session.commit()
    print(f"message {args.message_id} will be tried again by the next worker run")


def send_reminders(args: argparse.Namespace) -> None:
    """Queue the due webinar reminders and deliver the outbox: once (for cron or a systemd
    timer), or every N seconds with --every. `agora worker` does this and more each round."""
    import os
    import socket
    import time

    from app.core import outbox
    from app.core.config import get_settings
    from app.core.db import session_factory
    from app.webinars.reminders import queue_due_reminders

    worker = f"{socket.gethostname()}:{os.getpid()}"[:64]
    while True:
        queued = queue_due_reminders(session_factory)
        outbox.deliver_due(session_factory, get_settings(), worker=worker)
        print(f"reminders queued: {queued}", flush=True)
        if not args.every:
            return
        time.sleep(args.every)


def settle_attempts(_: argparse.Namespace) -> None:
    """Finish (or abandon, by each quiz's rule) every quiz attempt past its deadline; reads do
    it one attempt at a time anyway, so this is for a scheduled job that wants grades on time."""
    from app.core.db import utcnow
    from app.quizzes.service.timing import settle_overdue

    def work(session: "Session") -> None:
        print(f"attempts settled: {settle_overdue(session, utcnow())}")

    in_transaction(work)


def rotate_signing_key(args: argparse.Namespace) -> None:
    """Make a new current document-signing key (or, with --lti, LTI key); the older keys stay
    published."""
    from app.core.config import get_settings
    from app.credits.service import signing

    algorithm = "RS256" if args.lti else signing.ALGORITHM

    def work(session: "Session") -> None:
        key = signing.create_key(session, get_settings(), algorithm)
        print(f"signing key {key.kid} ({algorithm}) is now current")

    in_transaction(work)


def list_signing_keys(_: argparse.Namespace) -> None:
    """Every document-signing key: its kid, when it was made, and when it was retired."""
    from app.core.config import get_settings
    from app.credits.service import signing

    def work(session: "Session") -> None:
        settings = get_settings()
        for key in signing.all_keys(session):
            retired = key.retired_at.isoformat() if key.retired_at else "current"
            here = "" if signing.holds_private_key(settings, key.kid) else " (no private key here)"
            print(f"{key.kid}  {key.algorithm}  {key.created_at.isoformat()}  {retired}{here}")

    in_transaction(work)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    from app.core.actors import PlatformRole

    parser = argparse.ArgumentParser(prog="agora", description="Agora learning platform")
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply all migrations").set_defaults(func=db_upgrade)

    seed_cmd = commands.add_parser("seed", help="load courses_seed/ (idempotent)")
    seed_cmd.add_argument("--seed-dir", help="default: the project's courses_seed/")
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

    storage = commands.add_parser("storage", help="stored files").add_subparsers(
        dest="storage_command", required=True
    )
    gc = storage.add_parser("gc", help="delete stored files that no row references")
    gc.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    gc.add_argument(
        "--min-age-minutes",
        type=_positive,
        default=60,
        help="keep files saved more recently than this (uploads in flight); default 60",
    )
    gc.set_defaults(func=collect_stored_garbage)

    serve_cmd = commands.add_parser("serve", help="run the web server")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--workers", type=int, default=1)
    serve_cmd.add_argument("--no-access-log", action="store_true")
    serve_cmd.add_argument(
        "--worker-healthcheck-timeout",
        type=_positive,
        default=None,
        metavar="SECONDS",
        help="seconds a worker may take to answer before it is restarted "
        "(default: AGORA_WORKER_HEALTHCHECK_TIMEOUT, else 30)",
    )
    serve_cmd.set_defaults(func=serve)

    worker = commands.add_parser(
        "worker", help="send what is due: reminders, digests, notification mail, webhooks"
    )
    worker.add_argument("--every", type=int, default=0, help="repeat every N seconds")
    worker.set_defaults(func=run_worker)

    outbox_cmd = commands.add_parser(
        "outbox", help="messages the worker gave up on"
    ).add_subparsers(dest="outbox_command", required=True)
    outbox_cmd.add_parser("parked", help="list parked messages").set_defaults(func=list_parked)
    retry = outbox_cmd.add_parser("retry", help="try a parked message again")
    retry.add_argument("message_id", type=int)
    retry.set_defaults(func=retry_parked)

    reminders = commands.add_parser("reminders", help="send due webinar reminders")
    reminders.add_argument("--every", type=int, default=0, help="repeat every N seconds")
    reminders.set_defaults(func=send_reminders)

    keys = commands.add_parser("keys", help="document and LTI signing keys").add_subparsers(
        dest="keys_command", required=True
    )
    rotate = keys.add_parser("rotate", help="make a new current signing key")
    rotate.add_argument("--lti", action="store_true", help="the LTI key (RS256), not documents'")
    rotate.set_defaults(func=rotate_signing_key)
    keys.add_parser("list", help="list the signing keys").set_defaults(func=list_signing_keys)

    attempts = commands.add_parser("attempts", help="quiz attempts").add_subparsers(
        dest="attempts_command", required=True
    )
    attempts.add_parser("settle", help="finish every quiz attempt past its deadline").set_defaults(
        func=settle_attempts
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    from app import subscribers  # noqa: F401  (registers every domain's event subscribers)
    from app.core.config import get_settings
    from app.core.errors import DomainError

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
