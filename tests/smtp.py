"""A real SMTP server on localhost (aiosmtpd) that keeps what it receives, for mail tests."""

import re
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from app.core.config import Settings


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def reset_link(self) -> str:
        assert len(self.messages) == 1, f"expected one mail, got {len(self.messages)}"
        body = self.messages[0].get_payload(decode=True).decode()
        match = re.search(r"http://testserver(/reset-password/\S+)", body)
        assert match, body
        return match.group(1)

    def bodies(self) -> list[str]:
        return [m.get_payload(decode=True).decode() for m in self.messages]

    def subjects(self) -> list[str]:
        return [str(make_header(decode_header(m["Subject"]))) for m in self.messages]

    def welcome_links(self) -> list[str]:
        """The invitation links of every message received, in order."""
        return [
            link
            for body in self.bodies()
            for link in re.findall(r"http://testserver(/welcome/\S+)", body)
        ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox(settings: Settings) -> Iterator[Inbox]:
    """Point the settings' SMTP at a fresh local server."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.smtp_host, settings.smtp_port = "127.0.0.1", controller.port
    try:
        yield inbox
    finally:
        controller.stop()
