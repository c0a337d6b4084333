"""The community part of the seed, always through the forums and surveys services: an
announcements forum at the top of every seeded course, and, once the demo accounts exist, the
MPHM induction's welcome space with the teacher's invitation and a few introductions, and two
open anonymous surveys with a few demo responses (the induction's end-of-course evaluation;
the satisfaction study of the resilience workshop's participants). Loaded once: a course that
has an announcements forum, a welcome space with a discussion, or its demo survey, is left as
it is."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import Institution, User
from app.accounts.service import find_user_by_email
from app.core.actors import SYSTEM
from app.core.config import Settings, get_settings
from app.courses.models import CompletionRule, Course, Module, ModuleKind, Section
from app.courses.schemas import ModuleCreate
from app.courses.service.content import add_module
from app.forums.models import ForumKind, ForumThread
from app.forums.schemas import ForumUpdate, PostCreate, ThreadCreate
from app.forums.service import access, posts, threads
from app.surveys.models import AudienceKind, QuestionKind, Survey, SurveyQuestion
from app.surveys.schemas import SurveyCreate
from app.surveys.service import building, lifecycle, responding, templates
from app.surveys.service.audience import in_audience

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
    introductions (the number of posts written); then the demo surveys."""
    written = _welcome_posts(session)
    open_demo_surveys(session)
    return written


def _welcome_posts(session: Session) -> int:
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


# --- surveys -------------------------------------------------------------------------------

EVALUATION = ("MPHM-IND", "course_evaluation", "en", "teacher@demo.agora")
SATISFACTION = ("RES-WS", "health_workforce_satisfaction", "fr", "manager@demo.agora")
# The workshop's participants handed in paper questionnaires, typed in by its organiser:
# each one's profession (the learner profile's professional status) for the breakdowns.
PAPER_PROFESSIONS = ("civil_servant",) * 4 + ("working_professional",) * 2
COMMENTS = {
    "en": ["More live webinars with the guest speakers, please.", "Clear and well paced."],
    "fr": [
        "Des formations plus proches du terrain, dans les régions.",
        "Renforcer l’encadrement des jeunes professionnels.",
        "Améliorer les conditions de logement en zone rurale.",
    ],
}


def _answer(question: SurveyQuestion, n: int, language: str) -> responding.RawAnswer:
    """A varied, mostly favourable answer of the n-th demo respondent."""
    if question.kind is QuestionKind.LIKERT:
        return min(len(question.options) - 1, 2 + (n * 3 + question.position) % 3)
    if question.kind is QuestionKind.RATING:
        return 5 + (n * 2 + question.position) % 5
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return (n + question.position) % 2
    if question.kind is QuestionKind.NUMBER:
        return 4 + n * 2
    return COMMENTS[language][n % len(COMMENTS[language])]


def _answers(session: Session, survey: Survey, n: int) -> dict[int, responding.RawAnswer]:
    questions = building.outline_of(session, survey).questions
    return {q.id: _answer(q, n, survey.language) for q in questions}


def _open_demo_survey(session: Session, spec: tuple[str, str, str, str]) -> Survey | None:
    """The course's survey from the template, opened by its owner; none when the course or
    the owner is missing, or the survey was made before."""
    code, template, language, owner_email = spec
    course = session.scalar(select(Course).where(Course.code == code))
    owner = find_user_by_email(session, owner_email)
    if course is None or owner is None:
        return None
    taken = select(Survey.id).where(Survey.course_id == course.id, Survey.template_key == template)
    if session.scalar(taken) is not None:
        return None
    data = SurveyCreate(
        title=f"{course.code}: {templates.find(template, language).title}",
        language=language, audience_kind=AudienceKind.COURSE, target_id=course.id,
        anonymous=True, template_key=template,
    )  # fmt: skip
    survey = building.create_survey(session, actor_for_user(owner), get_settings(), data)
    lifecycle.open_survey(session, actor_for_user(owner), survey.id)
    return survey


def answer_evaluation(session: Session, student: User, n: int) -> None:
    """The n-th demo answer to the induction's evaluation, given by `student` (who must be in
    its audience): the browser tests add respondents so that its results are shown."""
    course = session.scalar(select(Course).where(Course.code == EVALUATION[0]))
    assert course is not None
    evaluation = session.scalar(select(Survey).where(
        Survey.course_id == course.id, Survey.template_key == EVALUATION[1]
    ))  # fmt: skip
    assert evaluation is not None
    answers = _answers(session, evaluation, n)
    responding.submit(session, actor_for_user(student), evaluation.id, answers)


def open_demo_surveys(session: Session) -> int:
    """The induction's end-of-course evaluation, answered by the demo students, and the
    resilience workshop's satisfaction study with six paper questionnaires typed in; both
    open and anonymous (the number of surveys made)."""
    made = 0
    evaluation = _open_demo_survey(session, EVALUATION)
    if evaluation is not None:
        made += 1
        for n, email in enumerate(INTRODUCTIONS):
            student = find_user_by_email(session, email)
            if student is not None and in_audience(session, evaluation, student.id):
                answers = _answers(session, evaluation, n)
                responding.submit(session, actor_for_user(student), evaluation.id, answers)
    study = _open_demo_survey(session, SATISFACTION)
    organiser = find_user_by_email(session, SATISFACTION[3])
    if study is not None and organiser is not None:
        made += 1
        home = session.scalar(select(Institution.id).where(Institution.code == "MSPS"))
        for n, profession in enumerate(PAPER_PROFESSIONS):
            responding.enter_collected(
                session, actor_for_user(organiser), study.id, _answers(session, study, n),
                attributes=("MA", home, profession),
            )  # fmt: skip
    return made
