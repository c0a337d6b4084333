"""`agora serve --workers N` on a loaded machine: the workers' health-check timeout is
settable, and what a worker imports before it can answer the first check is small."""

import functools
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI

from app import cli
from app.core import config
from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def uvicorn_run(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Catches what `agora serve` would start uvicorn with, instead of starting it."""
    import uvicorn

    passed: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: passed.update(options, app=app))
    # `serve` may set BASE_URL for its process (development): undone after each test.
    monkeypatch.setenv("BASE_URL", "unset")
    monkeypatch.delenv("BASE_URL")
    return passed


@pytest.fixture
def development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGORA_ENV", "development")
    monkeypatch.setattr(config, "get_settings", _fresh_settings)
    _fresh_settings.cache_clear()


@functools.lru_cache
def _fresh_settings() -> Settings:
    return Settings(_env_file=None)


def test_in_development_an_unset_base_url_becomes_the_served_port_with_a_warning(
    uvicorn_run: dict[str, object], development: None, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.WARNING, logger="agora.serve"):
        cli.main(["serve", "--port", "8123"])

    assert uvicorn_run["port"] == 8123
    assert config.get_settings().base_url == "http://127.0.0.1:8123"
    assert os.environ["BASE_URL"] == "http://127.0.0.1:8123"  # the workers' too
    assert "BASE_URL is unset" in caplog.text
    assert "http://127.0.0.1:8123" in caplog.text


def test_a_base_url_that_is_set_is_kept_without_a_warning(
    uvicorn_run: dict[str, object], development: None, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
):  # fmt: skip
    monkeypatch.setenv("BASE_URL", "https://agora.example.org")

    with caplog.at_level(logging.WARNING, logger="agora.serve"):
        cli.main(["serve", "--port", "8123"])

    assert config.get_settings().base_url == "https://agora.example.org"
    assert "BASE_URL" not in caplog.text


def test_outside_development_serve_leaves_base_url_alone_but_warns(
    uvicorn_run: dict[str, object], development: None, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
):  # fmt: skip
    monkeypatch.setenv("AGORA_ENV", "test")

    with caplog.at_level(logging.WARNING, logger="agora.serve"):
        cli.main(["serve", "--port", "8123"])

    assert "BASE_URL" not in os.environ
    assert config.get_settings().base_url == "http://127.0.0.1:8000"
    assert "BASE_URL is unset" in caplog.text  # still said, so the operator sets it


def test_serve_passes_the_health_check_timeout_given_on_the_command_line(
    uvicorn_run: dict[str, object],
):
    assert cli.main(["serve", "--workers", "2", "--worker-healthcheck-timeout", "90"]) == 0

    assert uvicorn_run["workers"] == 2
    assert uvicorn_run["timeout_worker_healthcheck"] == 90
    assert uvicorn_run["app"] == "app.cli:served_app"


def test_serve_takes_the_timeout_from_the_environment_else_30_seconds(
    uvicorn_run: dict[str, object], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AGORA_WORKER_HEALTHCHECK_TIMEOUT", "45")
    monkeypatch.setattr(config, "get_settings", lambda: Settings())
    cli.main(["serve", "--workers", "2"])
    from_environment = uvicorn_run["timeout_worker_healthcheck"]

    monkeypatch.delenv("AGORA_WORKER_HEALTHCHECK_TIMEOUT")
    cli.main(["serve", "--workers", "2"])

    assert from_environment == 45
    assert uvicorn_run["timeout_worker_healthcheck"] == 30


def test_serve_refuses_a_timeout_below_one_second(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--worker-healthcheck-timeout", "0"])

    assert "must be at least 1" in capsys.readouterr().err


def test_a_served_application_is_built_with_the_garbage_collector_paused_then_resumed(
    monkeypatch: pytest.MonkeyPatch,
):
    import gc

    from app import main

    collecting_while_building: list[bool] = []
    create_app = main.create_app

    def observed_create_app() -> FastAPI:
        collecting_while_building.append(gc.isenabled())
        return create_app()

    monkeypatch.setattr(main, "create_app", observed_create_app)
    monkeypatch.setattr(gc, "freeze", lambda: None)  # not the whole test process's objects

    served = cli.served_app()

    assert collecting_while_building == [False]
    assert gc.isenabled()
    assert served.openapi_url == "/api/v1/openapi.json"


def _modules_loaded_by(statement: str) -> set[str]:
    script = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_a_worker_process_imports_the_cli_without_the_application():
    """With `--workers`, each worker re-imports the command's module (multiprocessing's
    spawn) before it answers the supervisor; the application is loaded after that."""
    loaded = _modules_loaded_by("import app.cli")

    assert not {"app.main", "app.seed", "sqlalchemy", "fastapi", "alembic"} & loaded


def test_loading_the_application_hashes_no_password():
    """Password hashing is slow on purpose; the dummy hash used against timing attacks is
    made on first use, not by every worker at start-up."""
    loaded = _modules_loaded_by(
        "import argon2; calls = []; "
        "argon2.PasswordHasher.hash = lambda *a, **k: calls.append(1); "
        "import app.main; assert not calls, 'hashed at import'"
    )

    assert "app.main" in loaded


def test_building_the_application_loads_none_of_the_libraries_few_requests_need():
    """fpdf2 (with its font tools and Pillow), icalendar, markdown-it, httpx and PyYAML are
    imported by the functions that use them: half a second of a worker's start-up, before it
    can answer the supervisor, spent on them otherwise."""
    loaded = _modules_loaded_by("import app.main; app.main.create_app()")

    assert "app.main" in loaded
    lazy = {"fpdf", "fontTools", "PIL", "icalendar", "markdown_it", "httpx", "yaml", "boto3"}
    assert not lazy & loaded


def test_building_the_application_configures_no_mapper():
    """Configuring the models' mappers is work for the first query; a loader option made at
    import (a module's constant) did it for every worker before it could answer."""
    loaded = _modules_loaded_by(
        "import app.main; from app.core.db import Base; app.main.create_app(); "
        "assert not any(m.configured for m in Base.registry.mappers), 'configured at start-up'"
    )

    assert "app.main" in loaded


def test_every_route_is_resolved_only_by_the_router_that_serves_it():
    """FastAPI resolves a route (dependencies, body and response models) for each router that
    includes it and serves that copy; resolving the declaration too cost a worker a second."""
    script = (
        "import app.main; from fastapi.routing import APIRoute, iter_route_contexts; "
        "from app.core.routes import DeferredRoute; application = app.main.create_app(); "
        "application.openapi(); "
        "routes = [c.original_route for c in iter_route_contexts(application.routes)]; "
        "print(sum(isinstance(r, APIRoute) for r in routes), "
        "sum(isinstance(r, DeferredRoute) and '_declared' in vars(r) for r in routes))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    routes, unresolved = map(int, out.split())

    assert routes > 400
    assert unresolved == routes
