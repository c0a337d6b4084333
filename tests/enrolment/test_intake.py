"""A proper intake: people an intake creates are invited (in their language, with a single-use
set-password link, only once the intake commits); the CSV's optional columns; the institution
chosen explicitly; the report kept, by spreadsheet line, its reasons in the reader's language,
downloadable as CSV with formulas neutralised."""

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.courses.models import Course
from app.enrolment import bulk
from app.enrolment.models import IntakeRow, IntakeRun
from app.membership.models import Enrolment
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_institution,
    make_user,
    page_csrf,
    sign_in,
)
from tests.courses.factories import import_hs101
from tests.smtp import Inbox

HEADER = "external_id,email,display_name,language,time_zone,country,institution\n"
NEW_PASSWORD = "a river runs through it"


def _manager(db: Session, language: str = "en") -> User:
    return make_user(
        db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER, language=language
    )


def _create_cohort(client: TestClient, course: Course) -> str:
    answer = client.post(
        "/admin/cohorts",
        data={"csrf_token": page_csrf(client, "/admin/cohorts"), "code": "KZ-26", "name": "KZ"},
        follow_redirects=False,
    )
    page = answer.headers["location"]
    client.post(
        f"{page}/courses", data={"csrf_token": page_csrf(client, page), "course_code": course.code}
    )
    return str(page)


def _upload(client: TestClient, page: str, action: str, text: str, institution: str = "P1"):
    return client.post(
        action,
        data={"csrf_token": page_csrf(client, page), "institution_code": institution},
        files={"file": ("intake.csv", text.encode(), "text/csv")},
        follow_redirects=False,
    )


def _choose_password(client: TestClient, link: str):
    return client.post(
        link,
        data={"csrf_token": page_csrf(client, link), "new_password": NEW_PASSWORD},
        follow_redirects=False,
    )


def test_a_person_a_cohort_intake_creates_is_invited_in_their_language_once(
    client: TestClient, db: Session, settings: Settings, inbox: Inbox
):
    course = import_hs101(db, settings)
    _manager(db)
    make_user(db, email="known@example.org", password=PASSWORD)
    sign_in(client, "m@example.org")
    page = _create_cohort(client, course)
    text = (
        HEADER
        + "KZ-1,aigerim@example.kz,Aigerim Nurlanovna,fr,Asia/Almaty,KZ,\n"
        + "KZ-2,known@example.org,Known Person,,,,\n"
    )

    sent = _upload(client, page, f"{page}/csv", text)

    assert sent.status_code == 303
    assert [m["To"] for m in inbox.messages] == ["aigerim@example.kz"]  # the known one is not
    assert inbox.subjects() == ["Bienvenue sur Agora — choisissez votre mot de passe"]
    assert "Un compte Agora a été créé pour vous" in inbox.bodies()[0]
    assert "dans un délai de 14 jours" in inbox.bodies()[0]
    person = db.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert person is not None
    assert person.password_hash is None
    assert (person.preferred_language, person.time_zone, person.country) == (
        "fr",
        "Asia/Almaty",
        "KZ",
    )
    [link] = inbox.welcome_links()

    welcome = client.get(link)
    chosen = _choose_password(client, link)
    profile = client.get("/profile")
    again = _choose_password(client, link)

    assert "Bienvenue — choisissez votre mot de passe" in welcome.text
    assert chosen.status_code == 303
    assert "Aigerim Nurlanovna" in profile.text  # signed in as the invited person
    assert again.status_code == 400
    assert "Ce lien d’invitation n’est pas valide" in again.text
    sign_in(client, "aigerim@example.kz", NEW_PASSWORD)  # the password chosen works


def test_no_mail_for_a_refused_row_nor_for_an_intake_that_rolls_back(
    client: TestClient, db: Session, settings: Settings, inbox: Inbox
):
    course = import_hs101(db, settings)
    actor = actor_for_user(_manager(db))
    rows = [
        {"external_id": "A-1", "email": "not-an-address", "display_name": "Refused"},
        {"external_id": "A-2", "email": "kept@example.org", "display_name": "Kept"},
    ]

    with db.begin_nested() as undone:
        bulk.bulk_enrol(db, actor, course.id, [rows[1]], "P1", settings=settings)
        undone.rollback()
    db.commit()
    after_rollback = len(inbox.messages)
    report = bulk.bulk_enrol(db, actor, course.id, rows, "P1", settings=settings)
    before_commit = len(inbox.messages)
    db.commit()

    assert after_rollback == 0
    assert [r.outcome for r in report.rows] == ["rejected", "created"]
    assert before_commit == 0  # nothing leaves while the intake's transaction is open
    assert [m["To"] for m in inbox.messages] == ["kept@example.org"]


def test_the_report_in_french_names_spreadsheet_lines_and_translated_reasons(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    manager = _manager(db, language="fr")
    sign_in(client, "m@example.org")
    path = f"/courses/{course.code}/bulk-enrol"
    text = (
        HEADER
        + "R-1,ok@example.org,Fine,,,,\n"  # line 2
        + "\n"  # line 3: blank, still counted
        + "R-2,broken-address,Bad Mail,,,,\n"  # line 4
        + "R-3,tz@example.org,Bad Zone,,Mars/Olympus,,\n"  # line 5
        + "R-4,inst@example.org,Bad Institution,,,,NOPE\n"  # line 6
        + '"=HYPERLINK(""http://evil"")",formula,Formula,,,,\n'  # line 7
    )

    sent = _upload(client, path, path, text)
    report = client.get(sent.headers["location"])

    assert sent.status_code == 303
    rows = report.text.split("<tbody>")[-1]
    assert [line for line in range(2, 8) if f'data-label="Ligne">{line}<' in rows] == [
        2,
        4,
        5,
        6,
        7,
    ]
    assert "Adresse électronique non valide." in rows
    assert "Fuseau horaire inconnu." in rows
    assert "Code d’établissement inconnu." in rows
    assert "not a valid email" not in rows
    assert "value is not" not in rows
    stored = db.scalars(select(IntakeRow.reason_code).order_by(IntakeRow.line)).all()
    assert stored == [
        None,
        "invalid_email",
        "unknown_time_zone",
        "unknown_institution",
        "invalid_email",
    ]

    download = client.get(f"{sent.headers['location']}/report.csv")
    manager.preferred_language = "en"
    db.flush()
    in_english = client.get(sent.headers["location"])

    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert lines[0] == ["line", "external_id", "email", "outcome", "reason"]
    assert lines[2] == [
        "4",
        "R-2",
        "broken-address",
        "rejected",
        "Adresse électronique non valide.",
    ]
    assert lines[5][1] == '\'=HYPERLINK("http://evil")'  # a formula stays text
    assert "Not a valid e-mail address." in in_english.text  # said at read time


def test_past_intakes_stay_listed_for_the_course_and_the_cohort(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    _manager(db)
    sign_in(client, "m@example.org")
    path = f"/courses/{course.code}/bulk-enrol"
    first = _upload(client, path, path, HEADER + "L-1,l1@example.org,One,,,,\n")
    page = _create_cohort(client, course)
    second = _upload(client, page, f"{page}/csv", HEADER + "L-2,l2@example.org,Two,,,,\n")

    of_course = client.get(f"/courses/{course.code}/intakes")
    of_cohort = client.get(f"{page}/intakes")

    assert f'href="{first.headers["location"]}"' in of_course.text
    assert f'href="{second.headers["location"]}"' not in of_course.text
    assert f'href="{second.headers["location"]}"' in of_cohort.text
    assert db.scalar(select(func.count()).select_from(IntakeRun)) == 2


def test_the_institution_must_be_chosen_and_a_refusal_writes_nothing(
    client: TestClient, db: Session, settings: Settings, inbox: Inbox
):
    course = import_hs101(db, settings)
    _manager(db)
    sign_in(client, "m@example.org")
    path = f"/courses/{course.code}/bulk-enrol"
    form = client.get(path)
    users = db.scalar(select(func.count()).select_from(User))

    refused = _upload(client, path, path, HEADER + "N-1,n1@example.org,One,,,,\n", "")

    assert '<option value="">Choose the institution</option>' in form.text
    assert 'name="institution_code" required' in form.text
    assert " selected" not in form.text.split('name="institution_code"')[1].split("</select>")[0]
    assert refused.status_code == 400
    assert "Choose the partner institution of these rows." in refused.text
    assert db.scalar(select(func.count()).select_from(User)) == users
    assert db.scalar(select(func.count()).select_from(IntakeRun)) == 0
    assert inbox.messages == []


def test_rows_over_the_api_take_the_new_columns_and_reasons_in_the_callers_language(
    client: TestClient, db: Session, settings: Settings, inbox: Inbox
):
    course = import_hs101(db, settings)
    home = make_institution(db, "MSPS-T", "RU").id
    _manager(db)
    token = bearer(api_token(client, "m@example.org"))
    rows = [
        {"external_id": "API-1", "email": "olga@example.ru", "display_name": "Olga",
         "language": "ru", "time_zone": "Europe/Moscow", "country": "ru", "institution": "msps-t"},
        {"external_id": "API-2", "email": "x@example.ru", "display_name": "X", "country": "RUS"},
        {"external_id": "API-3", "email": "y@example.ru", "display_name": "Y", "language": "de"},
    ]  # fmt: skip

    answer = client.post(
        f"/api/v1/courses/{course.id}/bulk-enrolments",
        json={"institution_code": "P1", "rows": rows},
        headers={**token, "Accept-Language": "fr"},
    )

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert [(r["outcome"], r["invited"]) for r in report] == [
        ("created", True),
        ("rejected", False),
        ("rejected", False),
    ]
    assert [r["reason_code"] for r in report[1:]] == ["invalid_country", "invalid_language"]
    assert report[2]["reason"] == "Langue inconnue\u202f: utilisez en, fr, ru ou ar."
    olga = db.scalar(select(User).where(User.email == "olga@example.ru"))
    assert olga is not None
    assert (olga.preferred_language, olga.time_zone, olga.country, olga.institution_id) == (
        "ru",
        "Europe/Moscow",
        "RU",
        home,
    )
    assert db.scalar(select(Enrolment.id).where(Enrolment.user_id == olga.id)) is not None
    assert inbox.subjects() == ["Добро пожаловать в Agora — выберите пароль"]


def test_a_manager_sends_an_invitation_again_and_the_first_link_stops_working(
    client: TestClient, db: Session, settings: Settings, inbox: Inbox
):
    course = import_hs101(db, settings)
    _manager(db)
    sign_in(client, "m@example.org")
    path = f"/courses/{course.code}/bulk-enrol"
    report = _upload(client, path, path, HEADER + "S-1,s1@example.org,Sent Twice,,,,\n")
    location = report.headers["location"]
    page = client.get(location)
    assert "Send again" in page.text
    row_id = db.scalar(select(IntakeRow.id).where(IntakeRow.external_id == "S-1"))
    action = f"{location}/rows/{row_id}/invitation"

    resent = client.post(
        action, data={"csrf_token": page_csrf(client, location)}, follow_redirects=False
    )
    first, second = inbox.welcome_links()

    assert resent.status_code == 303
    assert [m["To"] for m in inbox.messages] == ["s1@example.org", "s1@example.org"]
    assert _choose_password(client, first).status_code == 400
    assert _choose_password(client, second).status_code == 303
    sign_in(client, "m@example.org")
    assert "Send again" not in client.get(location).text
    refused = client.post(
        action, data={"csrf_token": page_csrf(client, location)}, follow_redirects=False
    )
    assert refused.headers["location"].endswith("invitation_error=invitation_accepted")
    assert len(inbox.messages) == 2


def test_csv_rows_keep_their_spreadsheet_line():
    text = (
        "external_id,email,display_name\n"
        "A,a@example.org,A\n"  # line 2
        "\n"  # line 3
        ",,\n"  # line 4: a row of empty cells, skipped as a blank line
        'B,b@example.org,"Two\nlines"\n'  # line 5 (one spreadsheet row)
        "C,c@example.org,C\n"  # line 6
    )

    intake = bulk.rows_from_csv(text)

    assert intake.lines == [2, 5, 6]
    assert [r["external_id"] for r in intake.rows] == ["A", "B", "C"]
