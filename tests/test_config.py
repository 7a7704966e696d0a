"""Settings: exactly one Confluence mode, clear errors naming what is missing, secrets never shown."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, ConfluenceMode, Settings, load_settings
from bot.confluence import GatewayAuth
from bot.confluence.factory import auth_from_settings

ENV_KEYS = (
    "MATON_API_KEY",
    "MATON_API_URL",
    "MATON_CTRL_URL",
    "MATON_CONNECTION",
    "CONFLUENCE_CLOUD_ID",
    "CONFLUENCE_URL",
    "CONFLUENCE_EMAIL",
    "CONFLUENCE_API_TOKEN",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(str(tmp_path))  # no stray .env


def test_gateway_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATON_API_KEY", "mk-secret-value")
    monkeypatch.setenv("MATON_CONNECTION", "conn-1")
    settings = load_settings()
    assert settings.confluence_mode is ConfluenceMode.GATEWAY
    assert settings.maton_api_url == "https://api.maton.ai"
    assert settings.maton_connection == "conn-1"
    assert "mk-secret-value" not in repr(settings)
    assert "mk-secret-value" not in str(settings.model_dump())


def test_connection_api_defaults_to_the_gateway_host(monkeypatch: pytest.MonkeyPatch) -> None:
    # Maton manages connections on the gateway host ({MATON_API_URL}/connections).
    monkeypatch.setenv("MATON_API_KEY", "mk-secret-value")
    monkeypatch.setenv("MATON_API_URL", "https://maton.example.com/")
    settings = load_settings()
    assert settings.maton_ctrl_url is None
    assert _connections_url() == "https://maton.example.com"
    monkeypatch.setenv("MATON_CTRL_URL", "https://ctrl.example.com/")
    assert _connections_url() == "https://ctrl.example.com"
    monkeypatch.setenv("MATON_CTRL_URL", " ")
    assert _connections_url() == "https://maton.example.com"


def _connections_url() -> str:
    auth = auth_from_settings(load_settings())
    assert isinstance(auth, GatewayAuth)
    return auth.connections_url


def test_direct_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLUENCE_URL", "https://acme.atlassian.net/")
    monkeypatch.setenv("CONFLUENCE_EMAIL", "me@acme.com")
    monkeypatch.setenv("CONFLUENCE_API_TOKEN", "tok-secret-value")
    settings = load_settings()
    assert settings.confluence_mode is ConfluenceMode.DIRECT
    assert settings.confluence_url == "https://acme.atlassian.net"
    assert "tok-secret-value" not in repr(settings)


def test_no_mode_names_both_options() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "MATON_API_KEY" in str(info.value) and "CONFLUENCE_API_TOKEN" in str(info.value)


def test_both_modes_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATON_API_KEY", "mk")
    monkeypatch.setenv("CONFLUENCE_EMAIL", "me@acme.com")
    monkeypatch.setenv("CONFLUENCE_API_TOKEN", "tok-secret-value")
    with pytest.raises(ConfigError, match="exactly one") as info:
        load_settings()
    assert "tok-secret-value" not in str(info.value)


def test_partial_direct_mode_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLUENCE_API_TOKEN", "tok-secret-value")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "CONFLUENCE_URL" in str(info.value) and "CONFLUENCE_EMAIL" in str(info.value)
    assert "tok-secret-value" not in str(info.value)


def test_bad_url_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATON_API_KEY", "mk")
    monkeypatch.setenv("CONFLUENCE_URL", "acme.atlassian.net")
    with pytest.raises(ConfigError, match=r"CONFLUENCE_URL.*https://"):
        load_settings()


def test_dotenv_file_is_read(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    Path(str(tmp_path), ".env").write_text("MATON_API_KEY=from-dotenv-file\nLOG_LEVEL=DEBUG\n")
    settings = load_settings()
    assert settings.maton_api_key is not None
    assert settings.maton_api_key.get_secret_value() == "from-dotenv-file"
    assert settings.log_level == "DEBUG"


def test_env_example_lists_every_setting_and_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from bot.config import Settings

    example = Path(__file__).resolve().parents[1] / ".env.example"
    lines = example.read_text().splitlines()
    keys = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert keys == {name.upper() for name in Settings.model_fields}
    # Each setting has a one-line comment right above it.
    for i, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[i - 1].startswith("# "), f"no comment above {line}"
    filled = example.read_text().replace("MATON_API_KEY=\n", "MATON_API_KEY=mk-123456\n")
    Path(".env").write_text(filled)
    settings = load_settings()
    assert settings.slack_bot_token is None and settings.database_url is None
    assert settings.confluence_mode is ConfluenceMode.GATEWAY


def test_required_user_auth_needs_the_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLUENCE_URL", "https://acme.atlassian.net")
    monkeypatch.setenv("CONFLUENCE_EMAIL", "me@acme.com")
    monkeypatch.setenv("CONFLUENCE_API_TOKEN", "tok-secret-value")
    monkeypatch.setenv("CONFLUENCE_USER_AUTH", "required")
    with pytest.raises(ConfigError, match="needs the Maton gateway"):
        load_settings()


@pytest.mark.parametrize(
    "name", [name for name, field in Settings.model_fields.items() if field.default is None]
)
def test_a_blank_value_leaves_an_optional_setting_unset(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """`MATON_CONNECTION=` in .env, as .env.example leaves it, means not set (secrets too)."""
    monkeypatch.setenv(name.upper(), "  ")
    assert getattr(Settings(_env_file=None), name) is None  # type: ignore[call-arg]
