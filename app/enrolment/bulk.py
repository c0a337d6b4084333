"""Bulk enrolment from a partner institution (CSV in the portal, JSON over the API) and a
manager's cohort intake lists: matched by the partner's external id, idempotent, one report
line per row, no half-made rows."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import EmailStr, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.accounts.schemas import StrictInput
from app.accounts.service import find_institution, normalise_email
from app.core.actors import Actor, require
from app.core.errors import DomainError, Invalid
from app.core.i18n import N_
from app.enrolment import cohorts, policy
from app.enrolment.models import CourseRole, Enrolment, EnrolmentMethod, ExternalId, Funding
from app.enrolment.service import EnrolmentTerms, course_roles, place

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


@dataclass(frozen=True)
class RowReport:
    row: int
    external_id: str
    outcome: Outcome
    reason: str | None = None


def bulk_enrol(
    session: Session,
    actor: Actor,
    course_id: int,
    rows: list[dict[str, object]],
    institution_code: str | None = None,
) -> list[RowReport]:
    """Enrol every valid row. A partner system's rows belong to its own institution; a
    manager names the institution. Sending the same rows again reports them unchanged."""
    require(policy.can_enrol_others(actor, course_roles(session, actor, course_id)))
    if len(rows) > MAX_ROWS:
        raise Invalid(f"At most {MAX_ROWS} rows at a time.", field="rows")
    institution = _institution(session, actor, institution_code)
    people = _People.read(session, institution, rows)
    enrolled = {
        e.user_id: e
        for e in session.scalars(select(Enrolment).where(Enrolment.course_id == course_id))
    }

    def enrol(user: User, row: BulkRow) -> Outcome:
        is_new = user.id not in enrolled
        terms = EnrolmentTerms(row.role, row.funding, row.funder_name)
        _, changed = place(
            session, actor, course_id, user.id, terms, EnrolmentMethod.BULK, known=enrolled
        )
        return "created" if is_new else "updated" if changed else "unchanged"

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
    people = _People.read(session, _institution(session, actor, institution_code), rows)

    def join(user: User, _row: BulkRow) -> Outcome:
        is_new = not cohorts.is_member(session, cohort.id, user.id)
        cohorts.add_member(session, actor, cohort.id, user.id)
        return "created" if is_new else "unchanged"

    return [_one_row(session, people, number, raw, join) for number, raw in enumerate(rows, 1)]


def _institution(session: Session, actor: Actor, code: str | None) -> Institution:
    if actor.api_client_id is not None:
        found = session.get(Institution, actor.institution_id)
        assert found is not None
        return found
    if not code:
        raise Invalid("Name the partner institution of these rows.", field="institution_code")
    return find_institution(session, code, field="institution_code")


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
        if row.funding is Funding.SCHOLARSHIP and not row.funder_name:
            raise Invalid("A scholarship needs the funder's name.", field="funder_name")
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


@dataclass
class _People:
    """The accounts a batch's rows may refer to, read in two queries before the rows."""

    institution: Institution
    by_external_id: dict[str, User]
    by_email: dict[str, User]
    added: list[tuple[dict[str, User], str]] = field(default_factory=list)

    def undo(self) -> None:
        """Forget what the last row added: its savepoint was rolled back."""
        for found, key in self.added:
            found.pop(key, None)
        self.added.clear()

    @classmethod
    def read(
        cls, session: Session, institution: Institution, rows: list[dict[str, object]]
    ) -> "_People":
        ids = [str(r.get("external_id") or "") for r in rows]
        emails = [normalise_email(str(r.get("email") or "")) for r in rows]
        linked = session.execute(
            select(ExternalId.external_id, User)
            .join(User, User.id == ExternalId.user_id)
            .where(ExternalId.institution_id == institution.id, ExternalId.external_id.in_(ids))
        ).all()
        users = session.scalars(select(User).where(User.email.in_(emails))).all()
        return cls(institution, dict(linked), {u.email: u for u in users})

    def match(self, session: Session, row: BulkRow) -> User:
        """The partner's id first; else the e-mail address (then the id is remembered); else a
        new account without a password (the person sets one with a reset link)."""
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
            user = User(
                email=email,
                display_name=row.display_name,
                institution_id=self.institution.id,
                country=self.institution.country,
            )
            session.add(user)
            session.flush()
            self.by_email[email] = user
            self.added.append((self.by_email, email))
        session.add(
            ExternalId(
                institution_id=self.institution.id, external_id=row.external_id, user_id=user.id
            )
        )
        self.by_external_id[row.external_id] = user
        self.added.append((self.by_external_id, row.external_id))
        return user


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
