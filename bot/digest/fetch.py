"""What due digests contain: each (connection, space) fetched once per tick, however many
channels share it, as the subscriber's connection sees it."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.delivery import Claim
from bot.digest.compose import BlogPost
from bot.digest.ports import BlogSource, SourceAccessLost, SourcePost, SourceUnavailable, SpaceInfo
from bot.store import Subscription

__all__ = ["Job", "Problem", "fetch_posts"]

log = logging.getLogger("bot.digest")

SPACES_PER_FETCH = 100  # Confluence v2 accepts at most 100 space ids per blog post list

# unavailable: retry later; access_lost and space_gone: pause until the subscriber acts.
Problem = Literal["unavailable", "access_lost", "space_gone"]


@dataclass
class Job:
    """One claimed (subscription, period) on its way to its channel."""

    sub: Subscription
    claim: Claim
    since: datetime  # posts created at or after this belong to the digest
    due: datetime  # no earlier attempt can have posted before this instant
    space: SpaceInfo | None = None
    posts: list[BlogPost] = field(default_factory=list)
    problem: Problem | None = None


async def fetch_posts(source: BlogSource, jobs: list[Job]) -> None:
    """Fill each job's space and posts, or its problem."""
    by_connection: dict[str | None, list[Job]] = defaultdict(list)
    for job in jobs:
        by_connection[job.sub.connection_id].append(job)
    for connection, conn_jobs in by_connection.items():
        await _fetch_for(source, connection, conn_jobs)


async def _fetch_for(source: BlogSource, connection: str | None, jobs: list[Job]) -> None:
    by_space: dict[str, list[Job]] = defaultdict(list)
    for job in jobs:
        by_space[job.sub.space_id].append(job)
    try:
        spaces = await source.spaces(connection, sorted(by_space))
    except (SourceUnavailable, SourceAccessLost) as exc:
        _failed(jobs, exc)
        return
    present = sorted(sid for sid in by_space if sid in spaces)
    for space_id, space_jobs in by_space.items():
        for job in space_jobs:
            job.space = spaces.get(space_id)
            if job.space is None:
                job.problem = "space_gone"
    posts: list[SourcePost] = []
    for start in range(0, len(present), SPACES_PER_FETCH):
        batch = present[start : start + SPACES_PER_FETCH]
        batch_jobs = [job for sid in batch for job in by_space[sid]]
        since = min(job.since for job in batch_jobs)
        try:
            posts.extend(await source.posts_since(connection, batch, since))
        except (SourceUnavailable, SourceAccessLost) as exc:
            _failed(batch_jobs, exc)
    names = await _names(source, connection, posts)
    for post in posts:
        for job in by_space.get(post.space_id, ()):
            if job.problem is None and post.created_at >= job.since:
                author = names.get(post.author_id or "", "")
                job.posts.append(
                    BlogPost(post.title, post.url, author, post.created_at, post.excerpt)
                )


async def _names(
    source: BlogSource, connection: str | None, posts: list[SourcePost]
) -> dict[str, str]:
    ids = sorted({p.author_id for p in posts if p.author_id})
    if not ids:
        return {}
    try:
        return await source.display_names(connection, ids)
    except (SourceUnavailable, SourceAccessLost) as exc:
        # Names are cosmetic: the digest goes out without them.
        log.warning(
            "digest author names unavailable connection=%s authors=%d: %s",
            connection,
            len(ids),
            exc,
        )
        return {}


def _failed(jobs: Iterable[Job], exc: Exception) -> None:
    problem: Problem = "access_lost" if isinstance(exc, SourceAccessLost) else "unavailable"
    jobs = list(jobs)
    log.warning(
        "digest fetch failed (%s) subscriptions=%s spaces=%s connection=%s: %s",
        problem,
        ",".join(str(j.sub.id) for j in jobs),
        ",".join(sorted({j.sub.space_key for j in jobs})),
        jobs[0].sub.connection_id if jobs else None,
        exc,
    )
    for job in jobs:
        job.problem = job.problem or problem
