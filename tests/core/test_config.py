"""Configuration: production refuses unsafe settings; development generates its secret."""

import logging

import pytest
from pydantic import ValidationError

from app.core import config
from app.core.config import ConfigurationError, Settings
from app.core.logging import configure_logging
from app.main import create_app


def test_production_refuses_to_start_without_a_secret():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        Settings(agora_env="production", database_url="postgresql+psycopg://db/agora")


def test_production_refuses_an_in_memory_database():
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        Settings(agora_env="production", secret_key="x" * 40, database_url="sqlite:///:memory:")


def test_production_refuses_a_base_url_that_is_not_an_address():
    with pytest.raises(ConfigurationError, match="BASE_URL"):
        Settings(
            agora_env="production",
            secret_key="x" * 40,
            database_url="postgresql+psycopg://db/agora",
            base_url="agora.example.org",
        )


def test_production_starts_with_explicit_settings():
    settings = Settings(
        agora_env="production",
        secret_key="x" * 40,
        database_url="postgresql+psycopg://db/agora",
        base_url="https://agora.example.org",
    )

    assert settings.signing_key == "x" * 40
    assert settings.base_url_given


def test_development_generates_a_secret_once_and_keeps_it(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    config._local_secret.cache_clear()
    try:
        first = Settings(agora_env="development").signing_key
        config._local_secret.cache_clear()
        second = Settings(agora_env="development").signing_key
    finally:
        config._local_secret.cache_clear()

    assert first == second
    assert len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/agora")
    monkeypatch.setenv("BASE_URL", "https://agora.example.org")

    settings = Settings()

    assert settings.database_url.startswith("postgresql")
    assert settings.uses_https


def test_log_level_sets_the_least_severe_record_the_application_writes():
    quiet = Settings(agora_env="test", secret_key="x" * 40, log_level="WARNING")
    try:
        create_app(quiet)
        assert logging.getLogger().level == logging.WARNING
        assert not logging.getLogger().isEnabledFor(logging.INFO)
    finally:
        configure_logging()

    with pytest.raises(ValidationError):
        Settings(log_level="LOUD")
