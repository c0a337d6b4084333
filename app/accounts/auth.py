"""Signing in: passwords with rate limits, portal sessions, API tokens and password resets."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ScalarSelect, delete, select, update
from sqlalchemy.orm import Session

from app.accounts import service
from app.accounts.models import (
    ApiClient,
    PasswordResetToken,
    RefreshToken,
    ThrottledAttempt,
    TokenPurpose,
    User,
    UserSession,
)
from app.accounts.service import find_user_by_email, normalise_email
from app.accounts.throttle import forget, record, refuse_if_throttled
from app.core.actors import DEFAULT_USER_SCOPES, Actor, PlatformRole, Scope
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import DomainError, Invalid, TooManyRequests
from app.core.i18n import N_, translations_for
from app.core.mail import send_after_commit, send_mail
from app.core.security import (
    InvalidToken,
    encode_access_token,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    title = N_("The e-mail address or password is not correct.")
    keeps_changes = True  # the recorded failure must outlive the failed request


class InvalidGrant(DomainError):
    code = "invalid_grant"
    title = N_("The grant is not valid, has expired or was revoked.")
    keeps_changes = True  # a reused token's family stays revoked


class InvalidClient(DomainError):
    code = "invalid_client"
    title = N_("Unknown or revoked API client, or wrong secret.")
    keeps_changes = True  # the recorded failure must outlive the failed request


class InvalidScope(Invalid):
    code = "invalid_scope"
    title = N_("A requested scope is unknown or not granted.")


class LoginThrottled(TooManyRequests):
    code = "login_throttled"
    title = N_("Too many failed sign-ins; wait 15 minutes and try again, or reset your password.")


class ClientThrottled(TooManyRequests):
    code = "client_throttled"
    title = N_("Too many failed attempts for this API client; wait 15 minutes and try again.")


class ResetRequestsThrottled(TooManyRequests):
    code = "password_reset_throttled"
    title = N_(
        "Too many password reset requests; wait an hour and try again. "
        "Links already sent still work."
    )


class ResetConfirmThrottled(TooManyRequests):
    code = "password_reset_confirm_throttled"
    title = N_("Too many tries with password reset links; wait 15 minutes and try again.")


class ResetTokenInvalid(Invalid):
    code = "reset_token_invalid"
    title = N_("This password reset link is not valid, was already used or has expired.")
    keeps_changes = True  # the recorded failure must outlive the failed request


class InvitationTokenInvalid(ResetTokenInvalid):
    code = "invitation_token_invalid"
    title = N_(
        "This invitation link is not valid, was already used or has expired. "
        "Ask for a password reset link instead."
    )


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None = None


# --- passwords and throttling --------------------------------------------------------------


def authenticate(session: Session, settings: Settings, email: str, password: str, ip: str) -> User:
    """Check a password. An account or address with too many recent failures is refused
    before the password is even checked; every failure is recorded even though the
    request itself fails."""
    email = normalise_email(email)
    failed = ThrottledAttempt.FAILED_SIGN_IN
    refuse_if_throttled(session, settings, failed, account=email, ip=ip, error=LoginThrottled)
    user = find_user_by_email(session, email)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_active:
        record(session, settings, failed, account=email, ip=ip)
        raise InvalidCredentials(field="password")
    forget(session, failed, email)
    return user


def change_password(session: Session, actor: Actor, current: str, new: str) -> User:
    """A new password signs the person out everywhere: every portal session ends and every
    refresh token is revoked."""
    user = service.change_password(session, actor, current, new)
    end_all_sessions(session, user.id)
    return user


@dataclass(frozen=True)
class Browser:
    """Where a portal request comes from, for the session it is given."""

    ip: str
    user_agent: str


def change_password_in_browser(
    session: Session, settings: Settings, actor: Actor, current: str, new: str, browser: Browser
) -> str:
    """As `change_password`, but the browser that made the change stays signed in, under a
    new session id (returned for its cookie)."""
    user = change_password(session, actor, current, new)
    return start_session(session, settings, user, browser.ip, browser.user_agent)


# --- portal sessions -----------------------------------------------------------------------


def start_session(
    session: Session, settings: Settings, user: User, ip: str, user_agent: str
) -> str:
    """A new session id at every sign-in (no fixation); returns the cookie value."""
    token = new_token()
    session.add(
        UserSession(
            token_digest=token_digest(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=settings.session_days),
            ip_address=ip[:45],
            user_agent=user_agent[:300],
        )
    )
    return token


# What the header counts for the signed-in person (unread notifications): a domain above
# this one registers, by name, a count correlated to `User.id`, read in the same statement as
# the session's user, so that every page does not pay a statement for each.
HeaderCount = Callable[[], ScalarSelect[int]]
_header_counts: dict[str, HeaderCount] = {}


def count_in_header(name: str) -> Callable[[HeaderCount], HeaderCount]:
    def register(count: HeaderCount) -> HeaderCount:
        _header_counts[name] = count
        return count

    return register


def session_user(session: Session, token: str) -> tuple[User, dict[str, int]] | None:
    """The active user of a browser session, with the header's counts."""
    names = list(_header_counts)
    row = session.execute(
        select(User, *(_header_counts[name]() for name in names))
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_digest == token_digest(token), UserSession.expires_at > utcnow())
    ).one_or_none()
    if row is None or not row[0].is_active:
        return None
    return row[0], {name: int(value or 0) for name, value in zip(names, row[1:], strict=True)}


def user_for_session(session: Session, token: str) -> User | None:
    found = session_user(session, token)
    return found[0] if found else None


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_digest == token_digest(token)))


def end_all_sessions(session: Session, user_id: int) -> None:
    """Sign out everywhere: every browser session and every refresh token of the user."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


# --- API tokens ----------------------------------------------------------------------------


def _granted_scopes(requested: str | None, allowed: frozenset[str]) -> list[str]:
    if not requested:
        return sorted(allowed)
    wanted = set(requested.split())
    if not wanted <= allowed:
        raise InvalidScope(f"Not granted: {' '.join(sorted(wanted - allowed))}", field="scope")
    return sorted(wanted)


def user_scopes_allowed(user: User) -> frozenset[str]:
    allowed = set(DEFAULT_USER_SCOPES)
    if user.platform_role != PlatformRole.USER and user.may_read_sensitive:
        allowed.add(Scope.SENSITIVE_READ)
    return frozenset(allowed)


def password_grant(
    session: Session, settings: Settings, email: str, password: str, scope: str | None, ip: str
) -> IssuedTokens:
    user = authenticate(session, settings, email, password, ip)
    scopes = _granted_scopes(scope, user_scopes_allowed(user))
    return _issue_user_tokens(session, settings, user, scopes, family=uuid.uuid4().hex)


def refresh_grant(session: Session, settings: Settings, refresh_token: str) -> IssuedTokens:
    """Rotate a refresh token. Presenting one already used or revoked revokes its family."""
    stored = session.scalar(
        select(RefreshToken).where(RefreshToken.token_digest == token_digest(refresh_token))
    )
    if stored is None:
        raise InvalidGrant()
    if stored.revoked_at is not None:
        _revoke_family(session, stored.family)
        raise InvalidGrant()
    user = session.get(User, stored.user_id)
    if stored.expires_at <= utcnow() or user is None or not user.is_active:
        raise InvalidGrant()
    stored.revoked_at = utcnow()
    return _issue_user_tokens(session, settings, user, stored.scopes, family=stored.family)


def revoke_refresh_token(session: Session, refresh_token: str) -> None:
    """Sign a token chain out (RFC 7009 style: unknown tokens are not an error)."""
    stored = session.scalar(
        select(RefreshToken).where(RefreshToken.token_digest == token_digest(refresh_token))
    )
    if stored is not None:
        _revoke_family(session, stored.family)


def _revoke_family(session: Session, family: str) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _issue_user_tokens(
    session: Session, settings: Settings, user: User, scopes: list[str], family: str
) -> IssuedTokens:
    access, lifetime = encode_access_token(settings, f"user:{user.id}", scopes)
    refresh = new_token()
    session.add(
        RefreshToken(
            token_digest=token_digest(refresh),
            family=family,
            user_id=user.id,
            scopes=scopes,
            expires_at=utcnow() + timedelta(days=settings.refresh_token_days),
        )
    )
    return IssuedTokens(access, lifetime, " ".join(scopes), refresh)


def client_credentials_grant(
    session: Session,
    settings: Settings,
    client_id: str,
    secret: str,
    scope: str | None,
    ip: str,
) -> IssuedTokens:
    """A partner system's token carries at most the scopes its client was granted. Wrong
    secrets are limited per client and per address, as passwords are."""
    failed = ThrottledAttempt.FAILED_CLIENT_SECRET
    refuse_if_throttled(session, settings, failed, account=client_id, ip=ip, error=ClientThrottled)
    client = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    secret_ok = verify_password(client.secret_hash if client else None, secret)
    if client is None or not secret_ok or client.revoked_at is not None:
        record(session, settings, failed, account=client_id, ip=ip)
        raise InvalidClient()
    forget(session, failed, client_id)
    scopes = _granted_scopes(scope, frozenset(client.scopes))
    access, lifetime = encode_access_token(settings, f"client:{client.id}", scopes)
    return IssuedTokens(access, lifetime, " ".join(scopes))


def client_of_claims(claims: dict[str, object]) -> int | None:
    """The partner client an access token names, read from the token alone."""
    kind, _, raw_id = str(claims["sub"]).partition(":")
    return int(raw_id) if kind == "client" and raw_id.isdigit() else None


def actor_for_claims(session: Session, claims: dict[str, object]) -> Actor:
    """The actor an access token speaks for, if its user or client is still in good standing."""
    kind, _, raw_id = str(claims["sub"]).partition(":")
    scopes = frozenset(str(claims.get("scope", "")).split())
    if not raw_id.isdigit():
        raise InvalidToken("bad subject")
    if kind == "user":
        user = session.get(User, int(raw_id))
        if user is None or not user.is_active:
            raise InvalidToken("inactive user")
        return actor_for_user(user, scopes)
    if kind == "client":
        client = session.get(ApiClient, int(raw_id))
        if client is None or client.revoked_at is not None:
            raise InvalidToken("revoked client")
        return Actor(
            api_client_id=client.id,
            institution_id=client.institution_id,
            scopes=scopes & frozenset(client.scopes),
        )
    raise InvalidToken("bad subject")


def actor_for_user(user: User, scopes: frozenset[str] | None = None) -> Actor:
    return Actor(
        user_id=user.id,
        institution_id=user.institution_id,
        platform_role=PlatformRole(user.platform_role),
        scopes=user_scopes_allowed(user) if scopes is None else scopes,
    )


# --- password reset ------------------------------------------------------------------------


def request_password_reset(session: Session, settings: Settings, email: str, ip: str) -> None:
    """E-mail a single-use, expiring link. Requests are limited per address asked for and per
    network address, counted and refused alike whether an account uses the address or not, so
    the form can neither flood an inbox nor tell who has an account."""
    email = normalise_email(email)
    asked = ThrottledAttempt.RESET_REQUEST
    refuse_if_throttled(
        session, settings, asked, account=email, ip=ip, error=ResetRequestsThrottled
    )
    record(session, settings, asked, account=email, ip=ip)
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        return
    token = new_token()
    session.add(
        PasswordResetToken(
            token_digest=token_digest(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(minutes=settings.password_reset_minutes),
        )
    )
    _ = translations_for(user.preferred_language).gettext
    link = f"{settings.base_url}/reset-password/{token}"
    ngettext = translations_for(user.preferred_language).ngettext
    body = ngettext(
        "Hello {name},\n\nSomeone asked to reset your Agora password. To choose a new one, "
        "open this link within {minutes} minute:\n\n{link}\n\n"
        "If it was not you, ignore this message: your password stays as it is.",
        "Hello {name},\n\nSomeone asked to reset your Agora password. To choose a new one, "
        "open this link within {minutes} minutes:\n\n{link}\n\n"
        "If it was not you, ignore this message: your password stays as it is.",
        settings.password_reset_minutes,
    ).format(name=user.display_name, minutes=settings.password_reset_minutes, link=link)
    send_mail(settings, user.email, _("Reset your Agora password"), body)


def reset_password(
    session: Session,
    settings: Settings,
    token: str,
    new_password: str,
    ip: str,
    purpose: TokenPurpose = TokenPurpose.RESET,
) -> User:
    """Set a new password with a reset token (or an invitation's, with `purpose`); the token
    then stops working, and every existing session and refresh token of the account is
    revoked. Failed tries are limited per address, and per account when the link names one."""
    stored = session.scalar(
        select(PasswordResetToken).where(
            PasswordResetToken.token_digest == token_digest(token),
            PasswordResetToken.purpose == purpose,
        )
    )
    user = session.get(User, stored.user_id) if stored is not None else None
    account = user.email if user is not None else None
    failed = ThrottledAttempt.FAILED_RESET_CONFIRM
    refuse_if_throttled(
        session, settings, failed, account=account, ip=ip, error=ResetConfirmThrottled
    )
    if (
        stored is None
        or user is None
        or not user.is_active
        or stored.used_at is not None
        or stored.expires_at <= utcnow()
    ):
        record(session, settings, failed, account=account, ip=ip)
        if purpose is TokenPurpose.INVITATION:
            raise InvitationTokenInvalid(field="token")
        raise ResetTokenInvalid(field="token")
    stored.used_at = utcnow()
    user.password_hash = hash_password(new_password)
    end_all_sessions(session, user.id)
    return user


# --- invitations ---------------------------------------------------------------------------

INVITATION_SUBJECT = N_("Welcome to Agora — choose your password")


def invite(session: Session, settings: Settings, user: User) -> None:
    """Send a person an account was made for a single-use link to choose their password,
    valid `invitation_days` days, in their language; an earlier invitation link stops
    working. The mail leaves once the transaction commits, never for a rolled-back one."""
    now = utcnow()
    session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.user_id == user.id,
            PasswordResetToken.purpose == TokenPurpose.INVITATION,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
        )
        .values(expires_at=now)
    )
    token = new_token()
    session.add(
        PasswordResetToken(
            token_digest=token_digest(token),
            user_id=user.id,
            purpose=TokenPurpose.INVITATION,
            expires_at=now + timedelta(days=settings.invitation_days),
        )
    )
    translations = translations_for(user.preferred_language)
    days = settings.invitation_days
    body = translations.ngettext(
        "Hello %(name)s,\n\nAn Agora account was made for you (%(email)s). To choose your "
        "password and sign in, open this link within %(days)s day:\n\n%(link)s\n\n"
        "The link works once. If it has expired, ask for a password reset on the sign-in page.",
        "Hello %(name)s,\n\nAn Agora account was made for you (%(email)s). To choose your "
        "password and sign in, open this link within %(days)s days:\n\n%(link)s\n\n"
        "The link works once. If it has expired, ask for a password reset on the sign-in page.",
        days,
    ) % {
        "name": user.display_name,
        "email": user.email,
        "days": days,
        "link": f"{settings.base_url.rstrip('/')}/welcome/{token}",
    }
    subject = translations.gettext(INVITATION_SUBJECT)
    send_after_commit(session, settings, user.email, subject, body)


def invitation_language(session: Session, token: str) -> str | None:
    """The language of the person a live invitation link is for, so its page speaks it."""
    return session.scalar(
        select(User.preferred_language)
        .join(PasswordResetToken, PasswordResetToken.user_id == User.id)
        .where(
            PasswordResetToken.token_digest == token_digest(token),
            PasswordResetToken.purpose == TokenPurpose.INVITATION,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > utcnow(),
        )
    )


def accept_invitation(
    session: Session, settings: Settings, token: str, new_password: str, ip: str
) -> User:
    """Choose a first password with an invitation link; the link then stops working."""
    return reset_password(session, settings, token, new_password, ip, TokenPurpose.INVITATION)


def accept_invitation_in_browser(
    session: Session, settings: Settings, token: str, new_password: str, browser: Browser
) -> str:
    """As `accept_invitation`, and the browser is signed in (returns its session cookie)."""
    user = accept_invitation(session, settings, token, new_password, browser.ip)
    return start_session(session, settings, user, browser.ip, browser.user_agent)
