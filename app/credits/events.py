"""What happens in the credit ledger, for other domains (notifications, webhooks) to react to."""

from dataclasses import dataclass

from app.core.events import Event


@dataclass(frozen=True)
class CreditsChanged(Event):
    """A ledger entry was written for a learner: an award, a correction or a revocation."""

    entry_id: int
    user_id: int
    kind: str


@dataclass(frozen=True)
class DocumentIssued(Event):
    """A signed document (a transcript, a certificate…) was issued to a learner."""

    document_id: int
    user_id: int
    kind: str
