"""LTI round trips run over real HTTP on loopback: Agora served by uvicorn in a thread (on the
test's rolled-back connection, like the TestClient), the other side's implementation in
another. `settings.base_url` is the live server's address, so the issuer and every endpoint
Agora announces are ones the other side can reach."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from app.core.config import Settings
from tests.conftest import test_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LiveAgora:
    url: str


@pytest.fixture
def agora_port() -> int:
    return free_port()


@pytest.fixture
def settings(agora_port: int, tmp_path: Path) -> Settings:
    return test_settings().model_copy(
        update={
            "base_url": f"http://127.0.0.1:{agora_port}",
            "webhooks_allow_loopback": True,
            "signing_keys_dir": tmp_path / "keys",
        }
    )


class ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a thread may not set signal handlers
        pass


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[None]:
    """Serve the ASGI app on 127.0.0.1:port for the block (fake tools and platforms too)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = ThreadServer(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the server on port {port} did not start")
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_agora(app: FastAPI, agora_port: int) -> Iterator[LiveAgora]:
    with serving(app, agora_port):
        yield LiveAgora(f"http://127.0.0.1:{agora_port}")
