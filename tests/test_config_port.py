"""Settings.port: 3000 by default, PORT from the environment, refused when out of range."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def gateway_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("PORT", "CONFLUENCE_EMAIL", "CONFLUENCE_API_TOKEN", "CONFLUENCE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("MATON_API_KEY", "mk-port-test-secret")
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_default_port() -> None:
    assert load_settings().port == 3000


def test_port_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8080")
    assert load_settings().port == 8080


def test_port_from_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=4321\n", encoding="utf-8")
    assert load_settings().port == 4321


def test_env_wins_over_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=4321\n", encoding="utf-8")
    monkeypatch.setenv("PORT", "5000")
    assert load_settings().port == 5000


@pytest.mark.parametrize("value", ["0", "65536", "-1", "http", "80.5"])
def test_bad_port_is_a_config_error_naming_port(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PORT", value)
    with pytest.raises(ConfigError, match="PORT") as info:
        load_settings()
    assert "mk-port-test-secret" not in str(info.value)


@pytest.mark.parametrize("value", ["1", "65535"])
def test_port_bounds(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PORT", value)
    assert load_settings().port == int(value)
