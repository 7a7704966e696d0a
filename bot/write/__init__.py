"""Writing to Confluence from Slack: save a thread, create a page, comment on a page.

Use cases with ports this package owns (``ports``), like ``bot.digest``: no Slack imports here.
The Slack adapters and wording live in ``bot.slack.write``, the listeners in
``bot.slack.listeners.write``. ``submissions`` runs each form submission exactly once and
routes its answer.
"""

from bot.write.comment import CommentOnPage, CommentRequest
from bot.write.create import CreatePage, CreateRequest
from bot.write.errors import (
    DuplicateTitle,
    ForeignLink,
    NoSpace,
    NotAllowed,
    ThreadBusy,
    ThreadUnavailable,
    WriteError,
)
from bot.write.pickers import SpaceChoice
from bot.write.preflight import Preflight
from bot.write.save import SaveThread
from bot.write.save_request import SaveRequest, SaveResult
from bot.write.service import WriteService
from bot.write.submissions import Answer, SubmissionRunner, UserError

__all__ = [
    "Answer",
    "CommentOnPage",
    "CommentRequest",
    "CreatePage",
    "CreateRequest",
    "DuplicateTitle",
    "ForeignLink",
    "NoSpace",
    "NotAllowed",
    "Preflight",
    "SaveRequest",
    "SaveResult",
    "SaveThread",
    "SpaceChoice",
    "SubmissionRunner",
    "ThreadBusy",
    "ThreadUnavailable",
    "UserError",
    "WriteError",
    "WriteService",
]
