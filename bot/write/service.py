"""The write use cases wired to one set of ports (bot.slack.write.adapters builds it per request)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.write.comment import CommentOnPage
from bot.write.create import CreatePage
from bot.write.ports import (
    Background,
    ConfluenceAccess,
    FileSource,
    NameDirectory,
    Notifier,
    ThreadReply,
    ThreadSource,
    WriteStore,
)
from bot.write.save import SaveThread
from bot.write.submissions import SubmissionRunner


@dataclass(frozen=True)
class WriteService:
    save: SaveThread
    create: CreatePage
    comment: CommentOnPage
    runner: SubmissionRunner

    @classmethod
    def build(
        cls,
        *,
        access: ConfluenceAccess,
        store: WriteStore,
        source: ThreadSource,
        files: FileSource,
        directory: Callable[[], NameDirectory],
        reply: ThreadReply,
        notifier: Notifier,
        background: Background,
    ) -> WriteService:
        save = SaveThread(
            access=access,
            store=store,
            source=source,
            files=files,
            directory=directory,
            reply=reply,
        )
        return cls(
            save=save,
            create=CreatePage(access),
            comment=CommentOnPage(access, directory),
            runner=SubmissionRunner(store, notifier, background),
        )
