"""Settings from the environment and `.env`. Nothing else in the bot reads os.environ."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
APP_TOKENS_PAGE = "Basic Information → App-Level Tokens"
BOT_TOKEN_PAGE = "OAuth & Permissions"
# What to say about a setting a command needs when it is not set.
NOT_SET = {
    "slack_bot_token": (
        f"not set; copy the Bot User OAuth Token (xoxb-…) from {BOT_TOKEN_PAGE} "
        "in your Slack app's settings"
    ),
    "slack_app_token": (
        "not set; Socket Mode (`run`) needs an app-level token (xapp-…): create one with "
        f"connections:write under {APP_TOKENS_PAGE} (or use `serve` for HTTP mode)"
    ),
    "slack_signing_secret": (
        "not set; HTTP mode (`serve`) needs the Signing Secret from "
        "Basic Information → App Credentials"
    ),
}


class ConfigError(ValueError):
    """The settings are incomplete or contradictory: one problem per setting, each naming it,
    saying what is wrong and what to do."""

    def __init__(self, *problems: str) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


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
    # Socket Mode: serve GET /metrics and GET /healthz on this port (off when unset).
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    database_url: str | None = None
    # How long a start waits for a database that does not answer yet (containers start in any order).
    database_wait_seconds: float = Field(default=30.0, ge=0)
    digest_grace_hours: float = Field(default=6.0, ge=0)
    # Channel notifications: how often each poll group reads Confluence; how long one person's
    # edits of a page fold into one message; how far back a resumed poller replays activity.
    notify_interval_seconds: float = Field(default=60.0, ge=10, le=3600)
    notify_merge_seconds: float = Field(default=300.0, ge=0, le=86400)
    notify_catch_up_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    # The personal DM feed (issue 14): each linked user is polled once per interval, at least
    # this long; the interval stretches so that the polls stay within their share of Maton's
    # 10 requests/s (users x requests per poll / budget).
    personal_interval_seconds: float = Field(default=120.0, ge=10)
    personal_budget_rps: float = Field(default=5.0, gt=0, le=10)
    personal_requests_per_poll: float = Field(default=3.0, gt=0)
    personal_tick_seconds: float = Field(default=5.0, gt=0)
    personal_merge_minutes: float = Field(default=10.0, ge=0)
    log_level: str = "INFO"

    # A blank line in .env (`MATON_CONNECTION=`) leaves the setting unset, secrets included.
    @field_validator(
        "maton_ctrl_url",
        "maton_connection",
        "confluence_cloud_id",
        "confluence_url",
        "confluence_email",
        "database_url",
        "metrics_port",
        "maton_api_key",
        "confluence_api_token",
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
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

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _token_shape(value, "xoxb-")

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _token_shape(value, "xapp-")

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        level = "WARNING" if level == "WARN" else level
        if level not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not a log level; use DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("database_url")
    @classmethod
    def _database_kind(cls, value: str | None) -> str | None:
        if value is not None:
            from bot.store.urls import normalize_url  # names what is wrong, never the password

            normalize_url(value)
        return value

    def problems(self, need: Collection[str] = (), *, invalid: Collection[str] = ()) -> list[str]:
        """What is missing or contradictory, beyond single values (those fail validation):
        one Confluence mode, and the settings in `need` (field names) set. `invalid` names
        settings already reported as invalid, so they are not reported again as missing."""
        problems = [
            f"{name.upper()}: {NOT_SET.get(name, 'not set')}"
            for name in need
            if name not in invalid and getattr(self, name) is None
        ]
        direct_parts = {
            "CONFLUENCE_EMAIL": self.confluence_email,
            "CONFLUENCE_API_TOKEN": self.confluence_api_token,
        }
        has_direct = any(v is not None for v in direct_parts.values())
        if self.maton_api_key is None and "maton_api_key" in invalid:
            return problems
        if self.maton_api_key is not None and has_direct:
            problems.append(
                "MATON_API_KEY and CONFLUENCE_EMAIL/CONFLUENCE_API_TOKEN are both set: "
                "configure exactly one Confluence mode (gateway or direct)."
            )
        elif self.maton_api_key is None and not has_direct:
            problems.append(
                "MATON_API_KEY / CONFLUENCE_API_TOKEN: no Confluence credentials; set "
                "MATON_API_KEY (Maton gateway) or CONFLUENCE_URL + CONFLUENCE_EMAIL + "
                "CONFLUENCE_API_TOKEN (direct)."
            )
        elif has_direct:
            missing = [name for name, v in direct_parts.items() if v is None]
            if self.confluence_url is None:
                missing.insert(0, "CONFLUENCE_URL")
            missing = [name for name in missing if name.lower() not in invalid]
            if missing:
                problems.append("Direct Confluence mode is missing " + ", ".join(missing) + ".")
            if self.confluence_user_auth == "required":
                problems.append(
                    "CONFLUENCE_USER_AUTH=required needs the Maton gateway (MATON_API_KEY): "
                    "direct mode has one identity."
                )
        return problems

    @property
    def confluence_mode(self) -> ConfluenceMode:
        return ConfluenceMode.GATEWAY if self.maton_api_key is not None else ConfluenceMode.DIRECT


def _token_shape(value: SecretStr | None, prefix: str) -> SecretStr | None:
    """Slack tokens are checked by shape before any network call; a token pasted into the
    wrong setting is named as what it is."""
    if value is None:
        return None
    token = value.get_secret_value().strip()
    kinds = {"xoxb-": "the bot token", "xapp-": "an app-level token", "xoxp-": "a user token"}
    fix = (
        f"copy the Bot User OAuth Token (xoxb-…) from {BOT_TOKEN_PAGE}"
        if prefix == "xoxb-"
        else f"create an app-level token (xapp-…) with connections:write under {APP_TOKENS_PAGE}"
    )
    if any(c.isspace() or c in "\"'" for c in token):
        raise ValueError(f"contains spaces or quotes; paste the token alone, then {fix}")
    if token.startswith(prefix):
        return SecretStr(token)
    for other, kind in kinds.items():
        if token.startswith(other):
            wanted = "the bot token" if prefix == "xoxb-" else "an app-level token"
            where = " (it belongs in SLACK_APP_TOKEN)" if other == "xapp-" else ""
            where = " (it belongs in SLACK_BOT_TOKEN)" if other == "xoxb-" else where
            raise ValueError(f"this is {kind} ({other}…), not {wanted}{where}; {fix}")
    raise ValueError(f"does not look like a Slack token (it should start with {prefix}); {fix}")


def _problem(err: Any) -> str:
    name = ".".join(str(p) for p in err["loc"]).upper()
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{name}: {msg}" if name else msg


def load_settings(*, need: Collection[str] = (), **overrides: object) -> Settings:
    """Read settings and report every mistake at once, as one ConfigError naming each setting.

    `need` lists settings (field names) the command cannot run without. Values that fail
    validation are swapped for their defaults to check what remains, so a bad LOG_LEVEL does
    not hide missing credentials. Secrets are never echoed.
    """
    problems: list[str] = []
    invalid: dict[str, object] = {}
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(_problem(err))
            name = str(err["loc"][0]) if err["loc"] else ""
            if name in Settings.model_fields:
                invalid[name] = Settings.model_fields[name].get_default(call_default_factory=True)
        settings = Settings(**{**overrides, **invalid})  # type: ignore[arg-type]
    problems.extend(settings.problems(need, invalid=invalid))
    if problems:
        raise ConfigError(*problems)
    return settings
