"""Calls to a partner platform (its JWKS, token endpoint and AGS), every one through the SSRF
guard the webhooks use: only public addresses (loopback when tests allow it), the checked
address connected to, no redirect followed."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.addresses import UnsafeAddress, resolve_destination, send
from app.core.config import Settings

USER_AGENT = "Agora-LTI/1"


class RemoteFailed(Exception):
    """The platform could not be reached, refused the address, or answered badly; why."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            raise RemoteFailed(f"HTTP {self.status}: not JSON") from None


def call(
    settings: Settings,
    url: str,
    *,
    method: str = "GET",
    content: bytes = b"",
    headers: Mapping[str, str] | None = None,
) -> Answer:
    try:
        destination = resolve_destination(
            url,
            allow_http=settings.webhooks_allow_http,
            allow_loopback=settings.webhooks_allow_loopback,
        )
    except UnsafeAddress as refused:
        raise RemoteFailed(f"{url}: {refused.detail}") from None
    from httpx import HTTPError  # loaded on first call only: serving pages must not need it

    sent = {"user-agent": USER_AGENT, "accept": "application/json", **(headers or {})}
    try:
        response = send(
            destination, method=method, content=content, headers=sent,
            timeout=settings.webhook_timeout_seconds,
        )  # fmt: skip
    except HTTPError as failure:
        raise RemoteFailed(f"{url}: {type(failure).__name__}") from None
    return Answer(response.status_code, dict(response.headers), response.content)
