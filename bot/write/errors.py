"""The failures of a write that its user can act on (worded for them in bot.slack.write).

Confluence's own refusals stay ConfluenceErrors; everything here is a WriteError.
"""

from __future__ import annotations


class WriteError(Exception):
    """A failure of a write that the user can act on."""


class NotAllowed(WriteError):
    """The user may not act in Confluence now (they must connect, finish connecting or
    reconnect first); `text` tells them what to do. Raised before any request is made."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class ThreadUnavailable(WriteError):
    """The thread can't be read (not in the channel, a DM, deleted); `str(exc)` tells the user."""


class DuplicateTitle(WriteError):
    """Another page of the space has this title."""


class NoSpace(WriteError):
    """No space was chosen, and the thread was not saved anywhere before."""


class ThreadBusy(WriteError):
    """Someone is saving this thread right now (another modal, another process)."""


class ForeignLink(WriteError):
    """The link is to another Confluence site than the one the app is connected to."""

    def __init__(self, host: str, site_host: str) -> None:
        super().__init__(f"{host} is not {site_host}")
        self.host = host
        self.site_host = site_host
