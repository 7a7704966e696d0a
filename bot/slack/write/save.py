"""Saves whose process died, run again by the scheduler's sweep (see bot.write.save)."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.failure_notice import SOMETHING_WENT_WRONG
from bot.slack.private_message import tell_user
from bot.slack.services import Services
from bot.slack.write.adapters import write_service
from bot.slack.write.answers import give_up_job, save_job
from bot.write import Preflight
from bot.write.save import MAX_RESUMES

log = logging.getLogger("bot.slack.save")


async def resume_interrupted_saves(services: Services, client: AsyncWebClient) -> int:
    """Run again the saves whose process died (one at a time); the users are told how they
    ended. Returns how many were taken up. `client` carries the bot token itself."""
    write = write_service(services, client)
    taken = 0
    for left in await write.save.interrupted():
        req = left.request
        log.warning(
            "resuming an interrupted save channel=%s ts=%s user=%s resumes=%s",
            req.channel_id,
            req.thread_ts,
            req.user_id,
            left.resumes,
        )
        taken += 1
        closed = Preflight()
        closed.passed()  # no modal is waiting: every outcome is told privately
        if left.exhausted:
            job = give_up_job(write, req, MAX_RESUMES)
        else:
            job = save_job(services, write, req, resumed=True)
        try:
            await write.runner.settle(req.idempotency_key, req, job, closed)
        except Exception:
            log.exception("resumed save failed channel=%s user=%s", req.channel_id, req.user_id)
            await tell_user(client, req.user_id, req.channel_id, SOMETHING_WENT_WRONG)
    return taken
