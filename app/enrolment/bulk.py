"""Bulk enrolment from a partner institution (CSV in the portal, JSON over the API) and a
manager's cohort intake lists: matched by the partner's external id, idempotent, one report
line per row, no half-made rows. Every intake is kept with its report (`intakes.py`), and each
person it creates is sent an invitation to choose a password once the intake commits."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from pydantic import EmailStr, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import Institution, User
from app.accounts.schemas import Country, Language, TimeZone
from app.accounts.service import find_institution, normalise_email
from app.core.actors import Actor, require
from app.core.config import Settings
from app.core.errors import DomainError, Invalid
from app.core.i18n import N_, SUPPORTED_LOCALES
from app.core.inputs import StrictInput
from app.courses.models import Course
from app.enrolment import cohorts, intakes, policy
from app.enrolment.models import ExternalId, IntakeRun
from app.enrolment.service import EnrolmentTerms, existing_course, place
from app.membership.models import CourseRole, Enrolment, EnrolmentMethod, Funding
from app.membership.service import course_roles

K = TypeVar("K")
V = TypeVar("V")
MAX_ROWS = 5000
Outcome = Literal["created", "updated", "unchanged", "rejected"]
REQUIRED_COLUMNS = ("external_id", "email", "display_name")
CSV_COLUMNS = (
    *REQUIRED_COLUMNS,
    "role",
    "funding",
    "funder_name",
    "language",
    "time_zone",
    "country",
    "institution",
)


class BulkRow(StrictInput):
    external_id: str = Field(min_length=1, max_length=64)
    email: EmailStr
    display_name: str = Field(min_length=1, max_length=200)
    role: CourseRole = CourseRole.STUDENT
    funding: Funding = Funding.SELF
    funder_name: str | None = Field(default=None, max_length=200)
    # For an account the row creates: its language (and the invitation's), time zone,
    # country and institution (by code; the batch's institution when absent).
    language: Language | None = None
    time_zone: TimeZone | None = Field(default=None, max_length=64)
    country: Country | None = None
    institution: str | None = Field(default=None, max_length=32)

    def terms(self) -> EnrolmentTerms:
        return EnrolmentTerms(self.role, self.funding, self.funder_name)


@dataclass(frozen=True)
class IntakeList:
    """Rows to take in, each with its spreadsheet line (the header is line 1; over the API,
    a row's position in the list, from 1)."""

    rows: list[dict[str, object]]
    lines: list[int]
    source: Literal["csv", "api"] = "api"
    file_name: str | None = None

    @classmethod
    def of_rows(cls, rows: list[dict[str, object]]) -> "IntakeList":
        return cls(rows, list(range(1, len(rows) + 1)))


@dataclass(frozen=True)
class RowReport:
    row: int  # the spreadsheet line (or the position in the API's list)
    external_id: str
    outcome: Outcome
    reason: str | None = None  # a refusal's code (intakes.reason_text says it in words)
    field: str | None = None  # the column a refusal is about
    email: str = ""
    user_id: int | None = None
    new_account: bool = False


@dataclass(frozen=True)
class Intake:
    run: IntakeRun
    rows: list[RowReport]


class TooManyRows(Invalid):
    code = "too_many_rows"
    title = N_("An intake takes at most 5000 rows at a time: split the list.")


class UnknownInstitution(Invalid):
    code = "unknown_institution"
    title = N_("Unknown institution code.")


class InstitutionOutOfReach(Invalid):
    code = "institution_out_of_reach"
    title = N_("You cannot add people to this institution.")


class ExternalIdTaken(Invalid):
    code = "external_id_other_email"
    title = N_("This external id belongs to another e-mail address.")


class AccountOutOfReach(Invalid):
    code = "account_out_of_reach"
    title = N_("This e-mail address belongs to an account your institution cannot enrol.")


class ExternalIdConflict(Invalid):
    code = "external_id_conflict"
    title = N_("This person is already known to the institution by another external id.")


class ChooseInstitution(Invalid):
    code = "institution_required"
    title = N_("Choose the partner institution of these rows.")


def check_may_bulk_enrol(session: Session, actor: Actor, course_id: int) -> None:
    """The bulk form is for those who may enrol others in the course."""
    require(policy.can_enrol_others(actor, course_roles(session, actor, course_id)))


def bulk_enrol(
    session: Session,
    actor: Actor,
    course_id: int,
    rows: list[dict[str, object]] | IntakeList,
    institution_code: str | None = None,
    *,
    settings: Settings,
) -> Intake:
    """Enrol every valid row. A partner system's rows belong to its own institution; a
    manager names the institution. Sending the same rows again reports them unchanged. The
    intake and its report are kept; people it creates are invited."""
    course = existing_course(session, course_id)
    check_may_bulk_enrol(session, actor, course_id)
    intake = rows if isinstance(rows, IntakeList) else IntakeList.of_rows(rows)
    _check_size(intake)
    institution = _institution(session, actor, institution_code)
    people = _People.read(session, actor, institution, intake.rows, _language(course))
    enrolled = {
        e.user_id: e
        for e in session.scalars(select(Enrolment).where(Enrolment.course_id == course_id))
    }

    def enrol(user: User, row: BulkRow) -> Outcome:
        is_new = user.id not in enrolled
        _, changed = place(
            session, actor, course_id, user.id, row.terms(), EnrolmentMethod.BULK, known=enrolled
        )
        if is_new:
            return "created"
        return "updated" if changed or people.linked_existing else "unchanged"

    reports = _all_rows(session, settings, people, intake, enrol)
    run = IntakeRun(course_id=course_id, institution_id=institution.id)
    return Intake(intakes.record_run(session, actor, run, intake, reports), reports)


def bulk_add_to_cohort(
    session: Session,
    actor: Actor,
    cohort_id: int,
    rows: list[dict[str, object]] | IntakeList,
    institution_code: str | None = None,
    *,
    settings: Settings,
) -> Intake:
    """A manager's intake list: each valid row joins the cohort (and so its courses)."""
    cohort = cohorts.get_cohort(session, actor, cohort_id)
    intake = rows if isinstance(rows, IntakeList) else IntakeList.of_rows(rows)
    _check_size(intake)
    institution = _institution(session, actor, institution_code)
    linked = cohorts.linked_courses(session, actor, cohort_id)
    language = _language(linked[0]) if linked else "en"
    people = _People.read(session, actor, institution, intake.rows, language)

    def join(user: User, _row: BulkRow) -> Outcome:
        is_new = not cohorts.is_member(session, cohort.id, user.id)
        cohorts.add_member(session, actor, cohort.id, user.id)
        if is_new:
            return "created"
        return "updated" if people.linked_existing else "unchanged"

    reports = _all_rows(session, settings, people, intake, join)
    run = IntakeRun(cohort_id=cohort.id, institution_id=institution.id)
    return Intake(intakes.record_run(session, actor, run, intake, reports), reports)


def _check_size(intake: IntakeList) -> None:
    if len(intake.rows) > MAX_ROWS:
        raise TooManyRows(field="rows")


def _language(course: Course) -> str:
    return course.language if course.language in SUPPORTED_LOCALES else "en"


def _institution(session: Session, actor: Actor, code: str | None) -> Institution:
    """A partner system's rows are its institution's; an institution manager's too, unless
    they name it; a coordinator names the institution."""
    if actor.is_partner_client or (actor.is_institution_manager and not code):
        found = session.get(Institution, actor.institution_id) if actor.institution_id else None
        if found is None:
            raise ChooseInstitution(field="institution_code")
        return found
    if not code:
        raise ChooseInstitution(field="institution_code")
    found = find_institution(session, code, field="institution_code")
    require(policy.can_enrol_person(actor, found.id))
    return found


def _all_rows(
    session: Session,
    settings: Settings,
    people: "_People",
    intake: IntakeList,
    apply: Callable[[User, BulkRow], Outcome],
) -> list[RowReport]:
    return [
        _one_row(session, settings, people, line, raw, apply)
        for line, raw in zip(intake.lines, intake.rows, strict=True)
    ]


def _one_row(
    session: Session,
    settings: Settings,
    people: "_People",
    line: int,
    raw: dict[str, object],
    apply: Callable[[User, BulkRow], Outcome],
) -> RowReport:
    external_id = str(raw.get("external_id") or "")
    email = str(raw.get("email") or "")
    people.added.clear()
    try:
        row = BulkRow.model_validate({k: v for k, v in raw.items() if v not in ("", None)})
        row.terms()  # a row whose terms break a rule is refused before anything is written
        with session.begin_nested():
            user = people.match(session, row)
            outcome = apply(user, row)
            session.flush()
            if people.created_account:
                auth.invite(session, settings, user)  # mailed once the intake commits
    except ValidationError as error:
        reason, column = intakes.reason_of_validation(error)
        return RowReport(line, external_id, "rejected", reason, column, email)
    except (DomainError, IntegrityError) as error:
        people.undo()
        if isinstance(error, DomainError):
            return RowReport(line, external_id, "rejected", error.code, error.field, email)
        return RowReport(line, external_id, "rejected", intakes.DUPLICATE, None, email)
    return RowReport(
        line, row.external_id, outcome, None, None, user.email, user.id, people.created_account
    )


@dataclass
class _People:
    """The accounts a batch's rows may refer to, read in three queries before the rows. An
    external id names one person, and a person has at most one id per institution."""

    actor: Actor
    institution: Institution
    language: str
    by_external_id: dict[str, User]
    by_email: dict[str, User]
    id_of_user: dict[int, str]
    institutions: dict[str, Institution] = field(default_factory=dict)
    added: list[Callable[[], object]] = field(default_factory=list)
    # Set by `match` for the row at hand: it linked its id to a person already on file.
    linked_existing: bool = False
    # Set by `match` for the row at hand: it made a new account.
    created_account: bool = False

    def undo(self) -> None:
        """Forget what the last row added: its savepoint was rolled back."""
        for forget in self.added:
            forget()
        self.added.clear()

    @classmethod
    def read(
        cls,
        session: Session,
        actor: Actor,
        institution: Institution,
        rows: list[dict[str, object]],
        language: str,
    ) -> "_People":
        ids = [str(r.get("external_id") or "") for r in rows]
        emails = [normalise_email(str(r.get("email") or "")) for r in rows]
        linked = session.execute(
            select(ExternalId.external_id, User)
            .join(User, User.id == ExternalId.user_id)
            .where(ExternalId.institution_id == institution.id, ExternalId.external_id.in_(ids))
        ).all()
        users = session.scalars(select(User).where(User.email.in_(emails))).all()
        known_ids = session.execute(
            select(ExternalId.user_id, ExternalId.external_id).where(
                ExternalId.institution_id == institution.id,
                ExternalId.user_id.in_([u.id for u in users]),
            )
        ).all()
        return cls(
            actor,
            institution,
            language,
            dict(linked),
            {u.email: u for u in users},
            dict(known_ids),
            {institution.code: institution},
        )

    def home_of(self, session: Session, row: BulkRow) -> Institution:
        """The institution the row names (one the actor reaches), else the batch's."""
        if row.institution is None:
            return self.institution
        code = row.institution.upper()
        found = self.institutions.get(code)
        if found is None:
            found = session.scalar(select(Institution).where(Institution.code == code))
            if found is None:
                raise UnknownInstitution(field="institution")
            self.institutions[code] = found
        if not policy.can_enrol_person(self.actor, found.id):
            raise InstitutionOutOfReach(field="institution")
        return found

    def match(self, session: Session, row: BulkRow) -> User:
        """The partner's id first; else the e-mail address, whose person then gets the id
        (unless the institution knows them by another id: a conflict); else a new account
        without a password (the person is invited to choose one). The row's own columns
        (language, time zone, country, institution) shape only an account it creates."""
        self.linked_existing = False
        self.created_account = False
        home = self.home_of(session, row)
        email = normalise_email(row.email)
        linked = self.by_external_id.get(row.external_id)
        if linked is not None:
            if linked.email != email:
                raise ExternalIdTaken(field="email")
            return linked
        user = self.by_email.get(email)
        if user is None:
            user = self._new_user(session, row, email, home)
        elif not policy.can_enrol_person(self.actor, user.institution_id):
            raise AccountOutOfReach(field="email")
        elif self.id_of_user.get(user.id) is not None:
            raise ExternalIdConflict(field="external_id")
        else:
            self.linked_existing = True
        session.add(
            ExternalId(
                institution_id=self.institution.id, external_id=row.external_id, user_id=user.id
            )
        )
        self._remember(self.by_external_id, row.external_id, user)
        self._remember(self.id_of_user, user.id, row.external_id)
        return user

    def _new_user(self, session: Session, row: BulkRow, email: str, home: Institution) -> User:
        user = User(
            email=email,
            display_name=row.display_name,
            institution_id=home.id,
            country=row.country or home.country,
            preferred_language=row.language or self.language,
            time_zone=row.time_zone or "UTC",
        )
        session.add(user)
        session.flush()
        self.created_account = True
        self._remember(self.by_email, email, user)
        return user

    def _remember(self, found: dict[K, V], key: K, value: V) -> None:
        found[key] = value
        self.added.append(lambda: found.pop(key, None))


MAX_CSV_BYTES = 2 * 1024 * 1024


def rows_from_upload(data: bytes, file_name: str | None = None) -> IntakeList:
    """An uploaded CSV file's rows; the page reads at most MAX_CSV_BYTES + 1 bytes."""
    if len(data) > MAX_CSV_BYTES:
        raise Invalid(N_("The CSV file is larger than 2 MB."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(N_("Save the file as UTF-8 CSV."), field="file") from exc
    found = rows_from_csv(text)
    name = (file_name or "")[:200] or None
    return IntakeList(found.rows, found.lines, "csv", name)


def rows_from_csv(text: str) -> IntakeList:
    """Rows of a CSV file with a header line naming the columns (any order). Each row keeps
    its line as a spreadsheet numbers it: the header is line 1 and blank lines count (a
    quoted value spanning several lines is still one row)."""
    records = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(records, [])]
    missing = set(REQUIRED_COLUMNS) - set(header)
    if missing:
        raise Invalid(f"The CSV header lacks: {', '.join(sorted(missing))}.", field="file")
    rows: list[dict[str, object]] = []
    lines: list[int] = []
    for line, record in enumerate(records, 2):
        if not any(value.strip() for value in record):
            continue
        values = dict(zip(header, record, strict=False))
        rows.append({k: (values.get(k) or "").strip() for k in header if k in CSV_COLUMNS})
        lines.append(line)
    return IntakeList(rows, lines, "csv")
