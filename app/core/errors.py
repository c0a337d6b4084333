"""Domain errors carry a stable code, never an HTTP status; `app.core.problems` maps them."""

from typing import ClassVar

from app.core.i18n import N_


class DomainError(Exception):
    code: ClassVar[str] = "error"
    title: ClassVar[str] = "The request could not be completed."
    # A few refusals must still record something (a failed sign-in, a revoked token family):
    # for them the request's transaction commits before the error is answered.
    keeps_changes: ClassVar[bool] = False
    # When trying again may succeed, in seconds (answered as `Retry-After`), if known.
    retry_after_seconds: int | None = None

    def __init__(self, detail: str | None = None, *, field: str | None = None) -> None:
        self.detail = detail or self.title
        self.field = field
        super().__init__(self.detail)


class NotFound(DomainError):
    code = "not_found"
    title = N_("Not found.")


class Forbidden(DomainError):
    code = "forbidden"
    title = N_("You are not allowed to do this.")


class Unauthenticated(DomainError):
    code = "unauthenticated"
    title = N_("Sign in first.")


class Conflict(DomainError):
    code = "conflict"
    title = N_("This conflicts with the current state.")


class PreconditionFailed(DomainError):
    code = "precondition_failed"
    title = N_("The resource changed since you read it.")


class Invalid(DomainError):
    """Input that breaks a rule; `field` names the offending input when there is one."""

    code = "invalid"
    title = N_("Some input is not valid.")


class TooManyRequests(DomainError):
    code = "too_many_requests"
    title = N_("Too many attempts; wait a few minutes and try again.")

    def __init__(self, detail: str | None = None, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class ServiceUnavailable(DomainError):
    code = "service_unavailable"
    title = N_("A service Agora depends on is unavailable; try again shortly.")
