"""The community part of the seed, always through the forums service: an announcements forum
at the top of every seeded course, and, once the demo accounts exist, the MPHM induction's
welcome space with the teacher's invitation and a few introductions. Loaded once: a course
that has an announcements forum, or a welcome space with a discussion, is left as it is."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.service import find_user_by_email
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import CompletionRule, Course, Module, ModuleKind, Section
from app.courses.schemas import ModuleCreate
from app.courses.service.content import add_module
from app.forums.models import ForumKind, ForumThread
from app.forums.schemas import ForumUpdate, PostCreate, ThreadCreate
from app.forums.service import access, posts, threads

ANNOUNCEMENTS_KEY = "announcements"
WELCOME = ("MPHM-IND", "welcome-forum")
INVITATION = (
    "Welcome to the induction! Introduce yourself in a few lines: your name, your country, "
    "where you work and one question about health protection you would like the Master to "
    "help you answer. Then reply to at least two classmates."
)
INTRODUCTIONS = {
    "student1@demo.agora": (
        "Sabaidee! I am a district health officer in Vientiane province. My question: how can "
        "a district fund primary care when most patients pay out of pocket?"
    ),
    "student2@demo.agora": (
        "Hello from Almaty. I manage a polyclinic; I would like to understand how social "
        "health insurance pays primary care in other countries."
    ),
}


def add_announcement_forums(session: Session, settings: Settings) -> int:
    """An announcements forum first in the first section of each course that has none."""
    added = 0
    for course in session.scalars(select(Course).order_by(Course.code)):
        taken = session.scalar(
            select(Module.id).where(Module.course_id == course.id, Module.key == ANNOUNCEMENTS_KEY)
        )
        section = session.scalar(
            select(Section).where(Section.course_id == course.id).order_by(Section.position)
        )
        if taken is not None or section is None:
            continue
        data = ModuleCreate(
            key=ANNOUNCEMENTS_KEY, kind=ModuleKind.FORUM, title="Announcements", position=0,
            completion=CompletionRule.MANUAL, required=False,
        )  # fmt: skip
        module = add_module(session, SYSTEM, settings, section.id, data)
        forum = access.forum_of_module(session, SYSTEM, module.id).forum
        access.configure(session, SYSTEM, forum.id, ForumUpdate(kind=ForumKind.ANNOUNCEMENTS))
        added += 1
    return added


def open_welcome_space(session: Session) -> int:
    """The demo teacher's invitation in the induction's welcome space and the demo students'
    introductions (the number of posts written)."""
    teacher = find_user_by_email(session, "teacher@demo.agora")
    module_id = session.scalar(
        select(Module.id)
        .join(Course, Course.id == Module.course_id)
        .where(Course.code == WELCOME[0], Module.key == WELCOME[1])
    )
    if teacher is None or module_id is None:
        return 0
    forum = access.forum_of_module(session, SYSTEM, module_id).forum
    if session.scalar(select(ForumThread.id).where(ForumThread.forum_id == forum.id)):
        return 0
    thread = threads.start_thread(
        session, actor_for_user(teacher), forum.id,
        ThreadCreate(title="Introduce yourself here", body_markdown=INVITATION),
    )  # fmt: skip
    written = 1
    for email, text in INTRODUCTIONS.items():
        student = find_user_by_email(session, email)
        if student is not None:
            posts.reply(session, actor_for_user(student), thread.id, PostCreate(body_markdown=text))
            written += 1
    return written
