"""Pure conversion between Slack messages and Confluence storage format (no I/O)."""

from .excerpt import storage_to_mrkdwn, storage_to_text, task_text
from .mention_sentence import mention_sentence
from .mentions import collect_references
from .message import message_to_storage, thread_order
from .models import FileOutcome, Names, References, ThreadContext
from .storage import is_well_formed_storage
from .text_body import mrkdwn_to_storage
from .thread import thread_to_storage

__all__ = [
    "FileOutcome",
    "Names",
    "References",
    "ThreadContext",
    "collect_references",
    "is_well_formed_storage",
    "mention_sentence",
    "message_to_storage",
    "mrkdwn_to_storage",
    "storage_to_mrkdwn",
    "storage_to_text",
    "task_text",
    "thread_order",
    "thread_to_storage",
]
