"""Activity and events to test with, built in a line."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.notify.events import Activity, ContentType, Event, PageFacts, PageRef, Person, events_in

SITE = "https://acme.atlassian.net/wiki"
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
ADA = Person("acc-ada", "Ada Lovelace")
BOB = Person("acc-bob", "Bob <Builder>")


def hit(
    content_id: str = "100",
    *,
    type: ContentType = "page",
    version: int = 1,
    at: timedelta = timedelta(),
    created: timedelta | None = None,
    by: Person = ADA,
    space: str = "ENG",
    **extra: Any,
) -> Activity:
    when = T0 + at
    activity = Activity(
        id=content_id,
        type=type,
        space_key=space,
        title=f"Title {content_id}",
        url=f"{SITE}/spaces/{space}/pages/{content_id}",
        version=version,
        when=when,
        by=by,
        created_at=T0 + created if created is not None else when,
        created_by=by,
        space_name="Engineering",
        site=SITE,
    )
    return replace(activity, **extra)


def comment(
    comment_id: str, on: str = "100", *, at: timedelta = timedelta(), **extra: Any
) -> Activity:
    page = PageRef(on, f"Title {on}", f"{SITE}/spaces/ENG/pages/{on}")
    url = f"{SITE}/spaces/ENG/pages/{on}?focusedCommentId={comment_id}"
    return hit(
        comment_id, type="comment", at=at, on=page, url=url, title=f"Re: Title {on}", **extra
    )


def event(
    activity: Activity, since: datetime = T0 - timedelta(minutes=2), **pages: PageFacts
) -> Event:
    (found,) = events_in([activity], {activity.space_key: since}, pages)
    return found
