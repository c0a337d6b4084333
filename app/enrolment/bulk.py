"""Bulk enrolment from a partner institution (CSV in the portal, JSON over the API) and a
manager's cohort intake lists: matched by the partner's external id, idempotent, one report
line per row, no half-made rows."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from pydantic import EmailStr, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.accounts.service import find_institution, normalise_email
from app.core.actors import Actor, require
from app.core.errors import DomainError, Invalid
from app.core.i18n import N_
from app.core.inputs import StrictInput
from app.enrolment import cohorts, policy
from app.enrolment.models import ExternalId
from app.enrolment.service import EnrolmentTerms, existing_course, place
from app.membership.models import CourseRole, Enrolment, EnrolmentMethod, Funding
from app.membership.service import course_roles

K = TypeVar("K")
V = TypeVar("V")
MAX_ROWS = 5000
Outcome = Literal["created", "updated", "unchanged", "rejected"]
CSV_COLUMNS = ("external_id", "email", "display_name", "role", "funding", "funder_name")


class BulkRow(StrictInput):
    external_id: str = Field(min_length=1, max_length=64)
    email: EmailStr
    display_name: str = Field(min_length=1, max_length=200)
    role: CourseRole = CourseRole.STUDENT
    funding: Funding = Funding.SELF
    funder_name: str | None = Field(default=None, max_length=200)

    def terms(self) -> EnrolmentTerms:
        return EnrolmentTerms(self.role, self.funding, self.funder_name)


@dataclass(frozen=True)
class RowReport:
    row: int
    external_id: str
    outcome: Outcome
    reason: str | None = None


def check_may_bulk_enrol(session: Session, actor: Actor, course_id: int) -> None:
    """The bulk form is for those who may enrol others in the course."""
    require(policy.can_enrol_others(actor, course_roles(session, actor, course_id)))


def bulk_enrol(
    session: Session,
    actor: Actor,
    course_id: int,
    rows: list[dict[str, object]],
    institution_code: str | None = None,
) -> list[RowReport]:
    """Enrol every valid row. A partner system's rows belong to its own institution; a
    manager names the institution. Sending the same rows again reports them unchanged."""
    existing_course(session, course_id)
    check_may_bulk_enrol(session, actor, course_id)
    if len(rows) > MAX_ROWS:
        raise Invalid(f"At most {MAX_ROWS} rows at a time.", field="rows")
    institution = _institution(session, actor, institution_code)
    people = _People.read(session, actor, institution, rows)
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

    return [_one_row(session, people, number, raw, enrol) for number, raw in enumerate(rows, 1)]


def bulk_add_to_cohort(
    session: Session,
    actor: Actor,
    cohort_id: int,
    rows: list[dict[str, object]],
    institution_code: str | None = None,
) -> list[RowReport]:
    """A manager's intake list: each valid row joins the cohort (and so its courses)."""
    cohort = cohorts.get_cohort(session, actor, cohort_id)
    if len(rows) > MAX_ROWS:
        raise Invalid(f"At most {MAX_ROWS} rows at a time.", field="rows")
    people = _People.read(session, actor, _institution(session, actor, institution_code), rows)

    def join(user: User, _row: BulkRow) -> Outcome:
        is_new = not cohorts.is_member(session, cohort.id, user.id)
        cohorts.add_member(session, actor, cohort.id, user.id)
        if is_new:
            return "created"
        return "updated" if people.linked_existing else "unchanged"

    return [_one_row(session, people, number, raw, join) for number, raw in enumerate(rows, 1)]


def _institution(session: Session, actor: Actor, code: str | None) -> Institution:
    """A partner system's rows are its institution's; an institution manager's too, unless
    they name it; a coordinator names the institution."""
    if actor.is_partner_client or (actor.is_institution_manager and not code):
        found = session.get(Institution, actor.institution_id) if actor.institution_id else None
        if found is None:
            raise Invalid("Name the partner institution of these rows.", field="institution_code")
        return found
    if not code:
        raise Invalid("Name the partner institution of these rows.", field="institution_code")
    found = find_institution(session, code, field="institution_code")
    require(policy.can_enrol_person(actor, found.id))
    return found


def _one_row(
    session: Session,
    people: "_People",
    number: int,
    raw: dict[str, object],
    apply: Callable[[User, BulkRow], Outcome],
) -> RowReport:
    external_id = str(raw.get("external_id") or "")
    people.added.clear()
    try:
        row = BulkRow.model_validate({k: v for k, v in raw.items() if v not in ("", None)})
        row.terms()  # a row whose terms break a rule is refused before anything is written
        with session.begin_nested():
            outcome = apply(people.match(session, row), row)
            session.flush()
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "row"
        return RowReport(number, external_id, "rejected", f"{field}: {first['msg']}")
    except (DomainError, IntegrityError) as error:
        people.undo()
        reason = (
            error.detail if isinstance(error, DomainError) else "conflicts with an existing record"
        )
        return RowReport(number, external_id, "rejected", reason)
    return RowReport(number, row.external_id, outcome)


class ExternalIdConflict(Invalid):
    code = "external_id_conflict"
    title = N_("This person is already known to the institution by another external id.")


@dataclass
class _People:
    """The accounts a batch's rows may refer to, read in three queries before the rows. An
    external id names one person, and a person has at most one id per institution."""

    actor: Actor
    institution: Institution
    by_external_id: dict[str, User]
    by_email: dict[str, User]
    id_of_user: dict[int, str]
    added: list[Callable[[], object]] = field(default_factory=list)
    # Set by `match` for the row at hand: it linked its id to a person already on file.
    linked_existing: bool = False

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
            dict(linked),
            {u.email: u for u in users},
            dict(known_ids),
        )

    def match(self, session: Session, row: BulkRow) -> User:
        """The partner's id first; else the e-mail address, whose person then gets the id
        (unless the institution knows them by another id: a conflict); else a new account
        without a password (the person sets one with a reset link)."""
        self.linked_existing = False
        email = normalise_email(row.email)
        linked = self.by_external_id.get(row.external_id)
        if linked is not None:
            if linked.email != email:
                raise Invalid(
                    f"External id {row.external_id} belongs to another e-mail address.",
                    field="email",
                )
            return linked
        user = self.by_email.get(email)
        if user is None:
            user = self._new_user(session, row, email)
        elif not policy.can_enrol_person(self.actor, user.institution_id):
            raise Invalid(
                f"{email} belongs to an account your institution cannot enrol.", field="email"
            )
        elif (known := self.id_of_user.get(user.id)) is not None:
            raise ExternalIdConflict(
                f"{email} is already known to this institution by external id {known}; "
                f"one person has one id.",
                field="external_id",
            )
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

    def _new_user(self, session: Session, row: BulkRow, email: str) -> User:
        user = User(
            email=email,
            display_name=row.display_name,
            institution_id=self.institution.id,
            country=self.institution.country,
        )
        session.add(user)
        session.flush()
        self._remember(self.by_email, email, user)
        return user

    def _remember(self, found: dict[K, V], key: K, value: V) -> None:
        found[key] = value
        self.added.append(lambda: found.pop(key, None))


MAX_CSV_BYTES = 2 * 1024 * 1024


def rows_from_upload(data: bytes) -> list[dict[str, object]]:
    """An uploaded CSV file's rows; the page reads at most MAX_CSV_BYTES + 1 bytes."""
    if len(data) > MAX_CSV_BYTES:
        raise Invalid(N_("The CSV file is larger than 2 MB."), field="file")
    try:
        return rows_from_csv(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise Invalid(N_("Save the file as UTF-8 CSV."), field="file") from exc


def rows_from_csv(text: str) -> list[dict[str, object]]:
    """Rows of a CSV file with a header line naming the columns (any order)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"external_id", "email", "display_name"} - set(reader.fieldnames or [])
    if missing:
        raise Invalid(f"The CSV header lacks: {', '.join(sorted(missing))}.", field="file")
    return [{k: (v or "").strip() for k, v in row.items() if k in CSV_COLUMNS} for row in reader]
