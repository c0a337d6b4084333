"""Who each domain tells, and of what: forum posts reach the followers who may read them (a
group's thread its group and the staff, another's answer in questions and answers only those
who answered), announcements every participant; a private message its recipient, a released
grade its learner, a submission the course's teachers, a changed or cancelled webinar those
still registered (in their zone), an enrolment the person enrolled."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.assignments.service import submissions, submitting
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.enrolment.service import change_status, enrol
from app.forums.models import ForumKind, ForumSubscription
from app.forums.schemas import ThreadCreate
from app.forums.service import threads
from app.forums.service.following import follows, set_following
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.notifications.models import Notification, NotificationKind
from app.webinars.schemas import SessionCreate, SessionUpdate
from app.webinars.service import registration, scheduling
from tests.accounts.factories import PASSWORD, make_user
from tests.assignments.submission_factories import make_setup
from tests.conftest import csrf_from
from tests.courses.factories import enrol_as, import_hs101
from tests.forums.factories import (
    ForumWorld,
    count,
    forum_world,
    headers_for,
    make_group,
    reply,
    sign_in_as,
    thread,
)
from tests.grades.core_setup import book
from tests.messaging.factories import messaging_world, write

FORUM_POST, ANNOUNCEMENT = NotificationKind.FORUM_POST, NotificationKind.ANNOUNCEMENT


def told(db: Session, kind: NotificationKind) -> dict[int, list[Notification]]:
    """Each reader's notifications of the kind, oldest first."""
    found: dict[int, list[Notification]] = {}
    rows = db.scalars(
        select(Notification).where(Notification.kind == kind).order_by(Notification.id)
    )
    for notification in rows:
        found.setdefault(notification.user_id, []).append(notification)
    return found


def subjects(db: Session, kind: NotificationKind) -> dict[int, list[str]]:
    return {user: [n.subject for n in made] for user, made in told(db, kind).items()}


def learner(w: ForumWorld, name: str) -> User:
    person = make_user(w.db)
    person.display_name = name
    enrol_as(w.db, w.course, person, CourseRole.STUDENT)
    return person


def follow(w: ForumWorld, *people: User) -> None:
    for person in people:
        set_following(w.db, w.actor(person), w.forum_id, follow=True)
    w.db.flush()


# --- Forums ---------------------------------------------------------------------------------


def test_a_group_thread_and_its_replies_are_told_to_its_group_and_the_staff_only(
    db: Session, settings: Settings
):
    w = forum_world(db, settings, separate_groups=True)
    author = learner(w, "Khamla")
    group_a = make_group(db, w.course, "Group A", author, w.student)
    make_group(db, w.course, "Group B", w.other_student)
    follow(w, w.student, w.other_student, w.teacher)

    data = ThreadCreate(title="Our district", body_markdown="Hello A", group_id=group_a)
    opened = threads.start_thread(db, w.actor(author), w.forum_id, data).id
    reply(w, author, opened, "Anyone from A?")

    assert subjects(db, FORUM_POST) == {
        w.student.id: ["Discussion: Our district"] * 2,
        w.teacher.id: ["Discussion: Our district"] * 2,
    }
    assert w.other_student.id not in told(db, FORUM_POST)  # follows, but of group B


def test_in_questions_and_answers_a_learner_is_told_of_answers_once_they_answered(
    db: Session, settings: Settings
):
    w = forum_world(db, settings, ForumKind.QANDA)
    follow(w, w.student, w.other_student)
    question = thread(w, w.teacher, "Why refer?", "Answer before reading the others.")
    assert set(told(db, FORUM_POST)) == {w.student.id, w.other_student.id}

    reply(w, w.other_student, question, "Because the district has no surgeon.")
    assert len(told(db, FORUM_POST)[w.student.id]) == 1  # not told of another's answer
    assert len(told(db, FORUM_POST)[w.teacher.id]) == 1  # the asker is

    reply(w, w.student, question, "To reach a specialist.")
    reply(w, w.other_student, question, "And the lab.")
    by_reader = told(db, FORUM_POST)
    assert len(by_reader[w.student.id]) == 2  # the question, then the answer after theirs
    assert by_reader[w.student.id][-1].body.startswith("Bounmy wrote:\n\nAnd the lab.")
    assert len(by_reader[w.other_student.id]) == 2  # the question and the student's answer


def test_an_announcement_tells_every_participant_who_cannot_follow_or_leave(
    db: Session, settings: Settings, client: TestClient
):
    w = forum_world(db, settings, ForumKind.ANNOUNCEMENTS)
    outsider = make_user(db)
    thread(w, w.teacher, "Exam moved", "The exam is on Friday.")

    announced = told(db, ANNOUNCEMENT)
    assert set(announced) == {w.student.id, w.other_student.id}  # not the teacher, nor outsiders
    assert outsider.id not in announced
    [notice] = announced[w.student.id]
    assert notice.subject == "Discussion: Exam moved"
    assert notice.link.startswith("/forums/threads/")
    assert told(db, FORUM_POST) == {}

    headers = headers_for(client, w.student)
    url = f"/api/v1/forums/{w.forum_id}/subscription"
    assert client.put(url, headers=headers).status_code == 403
    assert client.get(url, headers=headers).json() == {"following": False}
    assert count(db, ForumSubscription) == 0


def test_the_author_is_not_told_of_their_own_post_and_follows_from_then_on(
    db: Session, settings: Settings
):
    w = forum_world(db, settings)
    follow(w, w.student)
    opened = thread(w, w.student, "Introductions", "I am Sisouk.")
    assert w.student.id not in told(db, FORUM_POST)  # a follower, but its author

    assert not follows(db, w.other_student.id, w.forum_id)
    reply(w, w.other_student, opened, "Welcome, Sisouk!")
    assert follows(db, w.other_student.id, w.forum_id)
    assert w.other_student.id not in told(db, FORUM_POST)
    reply(w, w.student, opened, "Thank you, Bounmy.")

    by_reader = told(db, FORUM_POST)
    [to_student] = by_reader[w.student.id]
    assert to_student.subject == "Discussion: Introductions"
    assert to_student.body == "Bounmy wrote:\n\nWelcome, Sisouk!"
    assert to_student.link.startswith(f"/forums/threads/{opened}")
    [to_other] = by_reader[w.other_student.id]  # a follower since their reply
    assert to_other.body == "Sisouk wrote:\n\nThank you, Bounmy."


def test_a_follower_who_unfollows_over_the_api_is_no_longer_told(
    db: Session, settings: Settings, client: TestClient
):
    w = forum_world(db, settings)
    headers = headers_for(client, w.student)
    url = f"/api/v1/forums/{w.forum_id}/subscription"
    assert client.put(url, headers=headers).json() == {"following": True}
    thread(w, w.other_student, "Before")
    assert client.delete(url, headers=headers).status_code == 204

    thread(w, w.other_student, "After")

    assert subjects(db, FORUM_POST) == {w.student.id: ["Discussion: Before"]}
    assert client.get(url, headers=headers).json() == {"following": False}


def test_a_follower_who_unfollows_with_the_page_form_is_no_longer_told(
    db: Session, settings: Settings, client: TestClient
):
    w = forum_world(db, settings)
    follow(w, w.student)
    sign_in_as(client, w, w.student)
    csrf = csrf_from(client.get(f"/forums/{w.forum_id}").text)

    response = client.post(
        f"/forums/{w.forum_id}/following",
        data={"follow": "0", "csrf_token": csrf},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/forums/{w.forum_id}"
    thread(w, w.other_student, "After")
    assert w.student.id not in told(db, FORUM_POST)
    assert not follows(db, w.student.id, w.forum_id)


# --- Messages, grades, submissions ----------------------------------------------------------


def test_a_private_message_tells_its_recipient_with_a_link_to_the_conversation(
    db: Session, settings: Settings
):
    w = messaging_world(db, settings)

    write(w, w.teacher, w.student, "Your case study is due on Friday.")

    assert {
        user: [(n.subject, n.link) for n in made]
        for user, made in told(db, NotificationKind.PRIVATE_MESSAGE).items()
    } == {w.student.id: [("New message from Tran Van Minh", f"/messages/{w.teacher.id}")]}


def test_releasing_a_grade_tells_the_learner_once(db: Session, settings: Settings):
    b = book(db, settings)
    alice, other = b.learner(), b.learner()
    item = b.item("Quiz 1", 20, source_id=1)
    b.grade(item, alice, "14", release=False)
    b.grade(item, other, "11", release=False)
    assert told(db, NotificationKind.GRADE_RELEASED) == {}

    b.grade(item, alice, "15")
    b.grade(item, alice, "16")  # already released: a change, not a new release

    released = told(db, NotificationKind.GRADE_RELEASED)
    assert [(n.subject, n.link) for n in released[alice.id]] == [
        ("Grade released: Quiz 1", f"/courses/{b.course.code}/my-grades")
    ]
    assert set(released) == {alice.id}


def test_a_submission_tells_the_courses_teachers(db: Session, settings: Settings):
    setup = make_setup(db, settings, learners=2)
    english_teacher = make_user(db, password=PASSWORD)
    tutor = make_user(db)
    enrol_as(db, setup.course, english_teacher, CourseRole.TEACHER)
    enrol_as(db, setup.course, tutor, CourseRole.TUTOR)
    elsewhere = import_hs101(db, settings, code="HS-OTHER")
    enrol_as(db, elsewhere, make_user(db), CourseRole.TEACHER)
    author = setup.learners[0]
    author.display_name = "Sisouk"

    submissions.save_text(db, setup.actor(author), setup.assignment.id, "My essay.")
    submitting.submit(db, setup.actor(author), settings, setup.assignment.id, honour=True)

    received = told(db, NotificationKind.SUBMISSION_RECEIVED)
    assert set(received) == {setup.teacher.id, english_teacher.id}  # the tutor is not told
    [notice] = received[english_teacher.id]
    assert notice.subject == "New submission: Essay"
    assert notice.body.startswith("Sisouk submitted Essay")
    assert notice.link == f"/assignments/{setup.assignment.id}/submissions"
    assert received[setup.teacher.id][0].subject != notice.subject  # in the teacher's French


# --- Webinars -------------------------------------------------------------------------------

ZONES = ("Asia/Vientiane", "Asia/Kolkata", "Africa/Casablanca", "Asia/Almaty")


@pytest.fixture
def registered(db: Session, settings: Settings) -> tuple[int, list[User], User, User]:
    """A session in Paris's afternoon: two students registered (Vientiane, Kolkata), one who
    registered then cancelled, one who never registered."""
    course = import_hs101(db, settings)
    teacher = make_user(db, time_zone="Europe/Paris")
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    students = [make_user(db, time_zone=zone) for zone in ZONES]
    for student in students:
        enrol_as(db, course, student, CourseRole.STUDENT)
    data = SessionCreate.model_validate({
        "title": "Financing primary health care", "time_zone": "Europe/Paris",
        "starts_at": "2031-01-14T15:00", "ends_at": "2031-01-14T16:30",
    })  # fmt: skip
    webinar = scheduling.schedule(db, actor_for_user(teacher), settings, course.id, data)
    for student in students[:3]:
        registration.register(db, actor_for_user(student), webinar.id)
    registration.cancel_registration(db, actor_for_user(students[2]), webinar.id)
    db.flush()
    return webinar.id, students, students[2], teacher


def test_rescheduling_a_webinar_tells_those_registered_the_new_time_in_their_zone(
    db: Session, registered: tuple[int, list[User], User, User]
):
    webinar_id, students, _, teacher = registered
    update = SessionUpdate(description="Bring your budget.")
    scheduling.update_webinar(db, actor_for_user(teacher), webinar_id, update)
    assert told(db, NotificationKind.WEBINAR_CHANGED) == {}  # nothing a calendar shows

    moved = SessionUpdate(starts_at="2031-01-14T17:00", ends_at="2031-01-14T18:30")
    scheduling.update_webinar(db, actor_for_user(teacher), webinar_id, moved)

    changed = told(db, NotificationKind.WEBINAR_CHANGED)
    assert set(changed) == {students[0].id, students[1].id}
    [vientiane], [kolkata] = changed[students[0].id], changed[students[1].id]
    assert vientiane.subject == "Webinar changed: Financing primary health care"
    assert vientiane.link == f"/sessions/{webinar_id}"
    assert "Jan 14, 2031 11:00\u202fPM (Vientiane, UTC+7)" in vientiane.body
    assert "Jan 14, 2031 9:30\u202fPM (Kolkata, UTC+5:30)" in kolkata.body


def test_cancelling_a_webinar_tells_those_registered_but_not_who_cancelled_theirs(
    db: Session, registered: tuple[int, list[User], User, User]
):
    webinar_id, students, gave_up, teacher = registered

    scheduling.cancel_webinar(db, actor_for_user(teacher), webinar_id)

    changed = told(db, NotificationKind.WEBINAR_CHANGED)
    assert set(changed) == {students[0].id, students[1].id}
    assert gave_up.id not in changed
    [notice] = changed[students[0].id]
    assert notice.subject == "Webinar cancelled: Financing primary health care"
    assert notice.body == (
        "Financing primary health care, planned for Jan 14, 2031 9:00\u202fPM "
        "(Vientiane, UTC+7), is cancelled."
    )


# --- Enrolment ------------------------------------------------------------------------------


def test_enrolling_someone_tells_them_and_so_does_a_change_of_status(
    db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    person, bystander = make_user(db), make_user(db)
    before = told(db, NotificationKind.ENROLMENT_CHANGED)

    enrol(db, SYSTEM, course.id, person.id, CourseRole.STUDENT)
    db.flush()
    enrolment_id = db.scalar(select(Enrolment.id).where(Enrolment.user_id == person.id))
    assert enrolment_id is not None
    change_status(db, SYSTEM, enrolment_id, EnrolmentStatus.SUSPENDED, "Fees unpaid")
    db.flush()

    after = told(db, NotificationKind.ENROLMENT_CHANGED)
    assert [(n.subject, n.link) for n in after[person.id]] == [
        (f"Enrolled in {course.title}", f"/courses/{course.code}"),
        (f"Your enrolment in {course.title} changed", f"/courses/{course.code}"),
    ]
    assert after[person.id][1].body == f"Your enrolment in {course.title} is now: suspended."
    assert bystander.id not in after
    assert set(after) - {person.id} == set(before)
