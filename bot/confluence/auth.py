"""How the client reaches Confluence: through Maton's gateway, or directly with an API token."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from pydantic import SecretStr


@dataclass(frozen=True)
class GatewayAuth:
    """Maton managed OAuth: Bearer API key; the cloud id is discovered unless given."""

    api_key: SecretStr
    api_url: str = "https://api.maton.ai"
    # Maton's connection API; None: the gateway host, where Maton serves /connections.
    ctrl_url: str | None = None
    connection: str | None = None
    cloud_id: str | None = None
    # Picks the site when several are accessible, and gives absolute links without discovery.
    site_url: str | None = None

    @property
    def connections_url(self) -> str:
        """Base of Maton's connection API (``{base}/connections``)."""
        return self.ctrl_url or self.api_url

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key.get_secret_value()}"}


@dataclass(frozen=True)
class DirectAuth:
    """Atlassian API token: basic auth with email:token against https://SITE.atlassian.net."""

    site_url: str
    email: str
    api_token: SecretStr

    def headers(self) -> dict[str, str]:
        raw = f"{self.email}:{self.api_token.get_secret_value()}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}


Auth = GatewayAuth | DirectAuth


@dataclass(frozen=True)
class Site:
    """The Confluence site the client talks to. `url` is https://SITE.atlassian.net (no /wiki)."""

    url: str | None
    cloud_id: str | None = None

    @property
    def wiki_base(self) -> str | None:
        return f"{self.url}/wiki" if self.url else None
