"""The seeded community: an announcements forum in every course and the MPHM induction's
welcome space with the teacher's invitation and the demo students' introductions, once."""

from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from app import cli, seed
from app.courses.models import Course, Module
from app.forums.models import Forum, ForumKind, ForumPost, ForumThread


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(seed, "VAR_DIR", tmp_path)
    return tmp_path


def _welcome_posts(db: Session) -> list[str]:
    forum_id = db.scalar(
        select(Forum.id)
        .join(Module, Module.id == Forum.module_id)
        .join(Course, Course.id == Module.course_id)
        .where(Course.code == "MPHM-IND", Module.key == "welcome-forum")
    )
    return list(db.scalars(select(ForumPost.body_markdown).where(ForumPost.forum_id == forum_id)))


def test_every_course_has_announcements_and_the_welcome_space_its_introductions(
    connection: Connection, db: Session, var_dir: Path
) -> None:
    assert cli.main(["seed", "--demo"]) == 0
    courses = db.scalar(select(func.count()).select_from(Course))
    announcements = db.scalar(
        select(func.count()).select_from(Forum).where(Forum.kind == ForumKind.ANNOUNCEMENTS)
    )
    assert courses
    assert announcements == courses
    posts = _welcome_posts(db)
    assert len(posts) == 3
    assert any("Vientiane" in text for text in posts)

    assert cli.main(["seed", "--demo"]) == 0

    assert _welcome_posts(db) == posts
    assert db.scalar(select(func.count()).select_from(ForumThread)) == 1
