"""The one way a page handles a form it may refuse.

    with attempt_form(request, session) as attempt:
        created = service.create_user(session, actor, UserCreate(**typed))
    if attempt.refused:
        return _users_page(request, session, actor, form=typed, errors=attempt.errors)
    return see_other(f"/admin/users/{created.id}")

The block runs in a savepoint. A refusal (input its schema rejects, or a domain error the
form can explain) undoes what the block flushed, so the form shown again reads the state
before the attempt, and the request's transaction then rolls back: a refused form writes
nothing. Other errors (not found, forbidden) propagate to the error page as before."""

from types import TracebackType
from typing import Self

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session, SessionTransaction

from app.core.db import refuse_request
from app.core.errors import Conflict, DomainError, Invalid
from app.core.web import field_errors

FORM_REFUSALS: tuple[type[Exception], ...] = (ValidationError, Invalid, Conflict)


class FormAttempt:
    def __init__(
        self, request: Request, session: Session, refusals: tuple[type[Exception], ...]
    ) -> None:
        self._request = request
        self._session = session
        self._refusals = refusals
        self._savepoint: SessionTransaction | None = None
        self.error: ValidationError | DomainError | None = None

    @property
    def refused(self) -> bool:
        return self.error is not None

    @property
    def errors(self) -> dict[str, str]:
        """Messages keyed by field (`form` for a message that belongs to no field)."""
        return field_errors(self.error) if self.error is not None else {}

    @property
    def message(self) -> str:
        """The first message, for forms that show one message above the form."""
        return next(iter(self.errors.values()), "")

    @property
    def code(self) -> str:
        """The refusal's stable code (`validation_error` for rejected input)."""
        return self.error.code if isinstance(self.error, DomainError) else "validation_error"

    def __enter__(self) -> Self:
        self._savepoint = self._session.begin_nested()
        return self

    def __exit__(
        self,
        _kind: type[BaseException] | None,
        error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> bool:
        assert self._savepoint is not None
        if error is None:
            self._savepoint.commit()
            return False
        if not isinstance(error, self._refusals) or not isinstance(
            error, ValidationError | DomainError
        ):
            self._savepoint.rollback()
            return False
        keep = isinstance(error, DomainError) and error.keeps_changes
        if keep:
            self._savepoint.commit()
        else:
            self._savepoint.rollback()
        refuse_request(self._request, keep_changes=keep)
        self.error = error
        return True


def attempt_form(
    request: Request, session: Session, refusals: tuple[type[Exception], ...] = FORM_REFUSALS
) -> FormAttempt:
    """Run a form's service calls so that a refusal writes nothing (see the module's text);
    `refusals` widens what is shown beside the form instead of on an error page."""
    return FormAttempt(request, session, refusals)
