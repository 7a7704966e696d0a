"""What each write modal keeps in its private_metadata: one typed value per modal.

JSON with the field names (pydantic reads and writes it), at most 3000 characters: Slack's
limit. Ids and keys are short, so a modal's metadata is a few hundred at most.
"""

from __future__ import annotations

from typing import Self

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from bot.slack.block_limits import PRIVATE_METADATA
from bot.write import SpaceChoice


def _named(name: str, earlier: str) -> AliasChoices:
    # Modals opened by the version before these types kept one-letter keys: read, never written.
    return AliasChoices(name, earlier)


class _Metadata(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    def dump(self) -> str:
        text = self.model_dump_json()
        if len(text) > PRIVATE_METADATA:
            raise ValueError(f"{type(self).__name__} is over Slack's {PRIVATE_METADATA} characters")
        return text

    @classmethod
    def load(cls, raw: str | None) -> Self:
        """From a view's private_metadata; ValueError (pydantic's) when it is not this modal's."""
        return cls.model_validate_json(raw or "{}")


class _WithSpace(_Metadata):
    # SpaceChoice.value once picked: kept for the parent type-ahead
    space: str | None = Field(default=None, validation_alias=_named("space", "s"))

    @property
    def space_choice(self) -> SpaceChoice | None:
        return SpaceChoice.parse(self.space)


class SaveMetadata(_WithSpace):
    channel_id: str = Field(validation_alias=_named("channel_id", "c"))
    thread_ts: str = Field(validation_alias=_named("thread_ts", "t"))
    message_ts: str = Field(validation_alias=_named("message_ts", "m"))
    # Already saved: saving again updates this page
    page_id: str | None = Field(default=None, validation_alias=_named("page_id", "p"))


class CreateMetadata(_WithSpace):
    # Where the modal was opened from (None: a global shortcut)
    channel_id: str | None = Field(default=None, validation_alias=_named("channel_id", "c"))


class CommentMetadata(_Metadata):
    channel_id: str | None = Field(default=None, validation_alias=_named("channel_id", "c"))
