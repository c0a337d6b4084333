"""Load `courses_seed/` through the services. Idempotent: loading twice changes nothing."""

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import Institution
from app.accounts.schemas import InstitutionCreate, UserCreate
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import PROJECT_DIR, VAR_DIR

SEED_DIR = PROJECT_DIR / "courses_seed"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: PlatformRole
    language: str
    time_zone: str
    country: str


DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.agora", "Demo Admin", PlatformRole.ADMIN, "en", "Europe/Paris", "FR"),
    DemoAccount(
        "manager@demo.agora", "Demo Manager", PlatformRole.MANAGER, "fr", "Africa/Casablanca", "MA"
    ),
    DemoAccount(
        "teacher@demo.agora", "Demo Teacher", PlatformRole.USER, "en", "Asia/Bangkok", "TH"
    ),
    DemoAccount(
        "student1@demo.agora",
        "Demo Student Vientiane",
        PlatformRole.USER,
        "en",
        "Asia/Vientiane",
        "LA",
    ),
    DemoAccount(
        "student2@demo.agora", "Demo Student Almaty", PlatformRole.USER, "ru", "Asia/Almaty", "KZ"
    ),
)


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_institutions(session: Session, seed_dir: Path = SEED_DIR) -> int:
    """Create the institutions the seed lists and that do not exist yet; returns how many."""
    path = seed_dir / "institutions.yaml"
    if not path.exists():
        return 0
    existing = set(session.scalars(select(Institution.code)))
    created = 0
    for entry in read_yaml(path)["institutions"]:
        if entry["code"].upper() in existing:
            continue
        data = InstitutionCreate(code=entry["code"], name=entry["name"], country=entry["country"])
        accounts.create_institution(session, SYSTEM, data)
        created += 1
    return created


def create_demo_accounts(session: Session) -> list[tuple[DemoAccount, str]]:
    """Demo accounts that do not exist yet, with fresh random passwords (returned once)."""
    created = []
    for demo in DEMO_ACCOUNTS:
        if accounts.find_user_by_email(session, demo.email) is not None:
            continue
        password = secrets.token_urlsafe(9)
        data = UserCreate(
            email=demo.email,
            display_name=demo.name,
            password=password,
            preferred_language=demo.language,
            time_zone=demo.time_zone,
            country=demo.country,
            platform_role=demo.role,
        )
        accounts.create_user(session, SYSTEM, data, is_demo=True)
        created.append((demo, password))
    return created


def remember_demo_passwords(created: list[tuple[DemoAccount, str]]) -> Path:
    """Keep the demo passwords in var/ (git-ignored) so they can be looked up again."""
    path = VAR_DIR / "demo-accounts.txt"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for demo, password in created:
            handle.write(f"{demo.email}\t{password}\t{demo.role}\n")
    path.chmod(0o600)
    return path
