"""Personal Confluence in Slack, as the user themselves: their open tasks (with Done) and their
choice of personal notifications, and the DM feed that sends them (``bot.personal.feed``);
`PersonalService.forget` drops all of it when they disconnect.

Pure parts (preferences, tasks) do no I/O; the service works on the ports in `ports`.
"""

from bot.personal.ports import (
    Identities,
    Me,
    NotLinked,
    NotLinkedReason,
    PreferenceStore,
    TaskSource,
)
from bot.personal.preferences import (
    KINDS,
    USAGE,
    Kind,
    ParseError,
    Preferences,
    ShowPreferences,
    SwitchPreferences,
    parse_me,
)
from bot.personal.service import PAGE_SIZE, PersonalService
from bot.personal.tasks import (
    Container,
    DueState,
    Settled,
    TaskItem,
    TaskRow,
    TasksPage,
    due_date,
    due_state,
)

__all__ = [
    "KINDS",
    "PAGE_SIZE",
    "USAGE",
    "Container",
    "DueState",
    "Identities",
    "Kind",
    "Me",
    "NotLinked",
    "NotLinkedReason",
    "ParseError",
    "PersonalService",
    "PreferenceStore",
    "Preferences",
    "Settled",
    "ShowPreferences",
    "SwitchPreferences",
    "TaskItem",
    "TaskRow",
    "TaskSource",
    "TasksPage",
    "due_date",
    "due_state",
    "parse_me",
]
