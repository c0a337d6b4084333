"""The `agora` command: seeding is idempotent, demo accounts are printed once and marked."""

from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from app import cli, seed
from app.accounts.models import Institution, User


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(seed, "VAR_DIR", tmp_path)
    return tmp_path


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_seed_twice_changes_nothing(connection: Connection, db: Session, var_dir: Path, capsys):
    assert cli.main(["seed", "--demo"]) == 0
    counts = (_count(db, Institution), _count(db, User))

    assert cli.main(["seed", "--demo"]) == 0

    assert (_count(db, Institution), _count(db, User)) == counts
    assert counts[1] == len(seed.DEMO_ACCOUNTS)


def test_demo_accounts_are_printed_once_marked_demo(connection: Connection, var_dir: Path, capsys):
    cli.main(["seed", "--demo"])
    first = capsys.readouterr().out
    cli.main(["seed", "--demo"])
    second = capsys.readouterr().out

    assert first.count("[demo]") == len(seed.DEMO_ACCOUNTS)
    assert "password:" in first
    assert "[demo]" not in second
    assert "already created" in second
    kept = (var_dir / "demo-accounts.txt").read_text()
    assert "student1@demo.agora" in kept


def test_demo_passwords_work_for_signing_in(connection: Connection, db: Session, var_dir: Path):
    from app.accounts.auth import authenticate
    from app.core.config import Settings

    cli.main(["seed", "--demo"])
    email, password, _ = (var_dir / "demo-accounts.txt").read_text().splitlines()[0].split("\t")

    user = authenticate(db, Settings(agora_env="test"), email, password, "127.0.0.1")

    assert user.is_demo


def test_user_create_makes_an_admin(connection: Connection, db: Session, capsys):
    code = cli.main(
        [
            "user",
            "create",
            "root@example.org",
            "--name",
            "Root",
            "--password",
            "long enough pw",
            "--admin",
        ]
    )

    assert code == 0
    user = db.scalar(select(User).where(User.email == "root@example.org"))
    assert user is not None
    assert user.platform_role == "admin"


def test_user_create_with_a_taken_email_fails_cleanly(connection: Connection, capsys):
    args = ["user", "create", "twice@example.org", "--name", "T", "--password", "long enough pw"]
    assert cli.main(args) == 0

    assert cli.main(args) == 1
    assert "already exists" in capsys.readouterr().err
