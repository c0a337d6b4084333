"""The audit trail's shapes: the filters as a page's form sends them, and an entry as read."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.accounts.audit import AuditFilters, ListedEntry
from app.accounts.models import AuditOutcome
from app.core.inputs import Id, StrictInput


class AuditQuery(StrictInput):
    """The filters of the trail's page (blank fields left out)."""

    model_config = ConfigDict(populate_by_name=True)

    person_id: Id | None = None
    subject: str | None = Field(default=None, max_length=128)
    actor_user_id: Id | None = None
    actor_client_id: Id | None = None
    since: date | None = Field(default=None, alias="from")
    until: date | None = Field(default=None, alias="to")
    outcome: AuditOutcome | None = None

    def filters(self) -> AuditFilters:
        return AuditFilters(**self.model_dump())


class AuditEntryRead(BaseModel):
    """One entry of the trail. `actor_name`, `client_name` and `person_name` are null where
    the reader does not reach that person or client (another institution's)."""

    id: int
    at: datetime
    outcome: AuditOutcome
    action: str
    subject: str
    detail: str | None
    from_value: str | None
    to_value: str | None
    request_id: str | None
    actor_user_id: int | None
    actor_name: str | None
    actor_client_id: int | None
    client_name: str | None
    institution_id: int | None
    institution_code: str | None
    person_id: int | None
    person_name: str | None

    @classmethod
    def of(cls, listed: ListedEntry) -> "AuditEntryRead":
        entry = listed.entry
        return cls(
            id=entry.id,
            at=entry.at,
            outcome=entry.outcome,
            action=entry.action,
            subject=entry.subject,
            detail=entry.detail,
            from_value=entry.from_value,
            to_value=entry.to_value,
            request_id=entry.request_id,
            actor_user_id=entry.actor_user_id,
            actor_name=listed.actor_name,
            actor_client_id=entry.actor_client_id,
            client_name=listed.client_name,
            institution_id=entry.institution_id,
            institution_code=listed.institution_code,
            person_id=entry.person_id,
            person_name=listed.person_name,
        )
