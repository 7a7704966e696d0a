"""Settings from the environment and `.env`. Nothing else in the bot reads os.environ."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(ValueError):
    """The settings are incomplete or contradictory; the message says what to set."""


class ConfluenceMode(StrEnum):
    GATEWAY = "gateway"
    DIRECT = "direct"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    # Confluence through Maton's managed-OAuth gateway.
    maton_api_key: SecretStr | None = None
    maton_api_url: str = "https://api.maton.ai"
    # Maton manages connections on the gateway host ({MATON_API_URL}/connections); set this only
    # for a deployment whose connection API lives on a separate host.
    maton_ctrl_url: str | None = None
    maton_connection: str | None = None
    confluence_cloud_id: str | None = None

    # Confluence directly with an Atlassian API token (CONFLUENCE_URL also picks the site in gateway mode).
    confluence_url: str | None = None
    confluence_email: str | None = None
    confluence_api_token: SecretStr | None = None

    confluence_timeout_seconds: float = Field(default=30.0, gt=0)
    confluence_max_attempts: int = Field(default=4, ge=1, le=10)
    confluence_requests_per_second: float = Field(default=10.0, gt=0)
    confluence_user_auth: Literal["optional", "required"] = "optional"

    # Slack.
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    port: int = Field(default=3000, ge=1, le=65535)
    database_url: str | None = None
    digest_grace_hours: float = Field(default=6.0, ge=0)
    log_level: str = "INFO"

    @field_validator(
        "maton_ctrl_url",
        "maton_connection",
        "confluence_cloud_id",
        "confluence_url",
        "confluence_email",
        "database_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator(
        "maton_api_key",
        "confluence_api_token",
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        mode="before",
    )
    @classmethod
    def _blank_secret_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("confluence_url", "maton_api_url", "maton_ctrl_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (for example https://SITE.atlassian.net)")
        return value.rstrip("/")

    @field_validator("slack_api_url")
    @classmethod
    def _slack_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (for example https://slack.com/api/)")
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _one_confluence_mode(self) -> Settings:
        direct_parts = {
            "CONFLUENCE_EMAIL": self.confluence_email,
            "CONFLUENCE_API_TOKEN": self.confluence_api_token,
        }
        has_direct = any(v is not None for v in direct_parts.values())
        if self.maton_api_key is not None and has_direct:
            raise ConfigError(
                "Both MATON_API_KEY and CONFLUENCE_EMAIL/CONFLUENCE_API_TOKEN are set: "
                "configure exactly one Confluence mode (gateway or direct)."
            )
        if self.maton_api_key is None and not has_direct:
            raise ConfigError(
                "No Confluence credentials: set MATON_API_KEY (Maton gateway) or "
                "CONFLUENCE_URL + CONFLUENCE_EMAIL + CONFLUENCE_API_TOKEN (direct)."
            )
        if has_direct:
            missing = [name for name, v in direct_parts.items() if v is None]
            if self.confluence_url is None:
                missing.insert(0, "CONFLUENCE_URL")
            if missing:
                raise ConfigError("Direct Confluence mode is missing " + ", ".join(missing) + ".")
            if self.confluence_user_auth == "required":
                raise ConfigError(
                    "CONFLUENCE_USER_AUTH=required needs the Maton gateway (MATON_API_KEY): "
                    "direct mode has one identity."
                )
        return self

    @property
    def confluence_mode(self) -> ConfluenceMode:
        return ConfluenceMode.GATEWAY if self.maton_api_key is not None else ConfluenceMode.DIRECT


def load_settings(**overrides: object) -> Settings:
    """Read settings; pydantic's validation errors become one ConfigError naming the fields."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]).upper() or "settings"
            msg = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{field}: {msg}" if err["loc"] else msg)
        raise ConfigError("; ".join(problems)) from None
