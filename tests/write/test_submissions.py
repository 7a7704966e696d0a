"""One effect per form submission: claims, and the runner that records and routes answers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bot.store import Store
from bot.write import Answer, Preflight, UserError
from bot.write.submissions import FAILED, Job, claim_submission, submission_key
from tests.write.conftest import CHANNEL, TEAM, USER, World


async def test_claims_run_once_answer_repeats_and_allow_retry_after_failure(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path}/s.db")
    await store.migrate()
    key = submission_key("save", "V1", ["a", 1])
    assert key == submission_key("save", "V1", ["a", 1]) != submission_key("save", "V1", ["b", 1])
    first = await claim_submission(store, key)
    assert first.state == "run"
    assert (await claim_submission(store, key)).state == "running"
    await store.remember_result(first.key, FAILED)
    retry = await claim_submission(store, key)
    assert retry.state == "run" and retry.key != first.key
    await store.remember_result(retry.key, "12345")
    done = await claim_submission(store, key)
    assert (done.state, done.result) == ("done", "12345")
    await store.close()


@dataclass(frozen=True)
class Who:
    team_id: str | None = TEAM
    user_id: str = USER
    channel_id: str | None = CHANNEL


async def _never(key: str) -> str:
    raise AssertionError("not a repeat")


async def _run(world: World, key: str, job: Job) -> dict[str, str] | None:
    errors = await world.write.runner.run_submission(key, Who(), job, name="test", repeat=_never)
    await world.background.idle()
    return errors


async def test_an_early_failure_shows_in_the_form_and_frees_the_submission(world: World) -> None:
    async def job(key: str, preflight: Preflight) -> Answer | None:
        raise UserError("That title is taken.", "title")

    assert await _run(world, "k1", job) == {"title": "That title is taken."}
    assert world.notifier.told == []
    assert await world.store.get_result("k1") == FAILED
    assert (await claim_submission(world.store, "k1")).state == "run"  # the same values retry


async def test_a_failure_after_the_form_closed_is_told_privately(world: World) -> None:
    """With test_save.py's refusal after the form closed: moved from tests/slack/test_write_e2e.py
    (Confluence failure during a save is told privately, and is not remembered as a result)."""

    async def job(key: str, preflight: Preflight) -> Answer | None:
        preflight.passed()
        raise UserError(":no_entry: No permission.", "title")

    assert await _run(world, "k2", job) is None
    assert world.notifier.told == [(USER, CHANNEL, ":no_entry: No permission.")]
    retry = await claim_submission(world.store, "k2")
    assert retry.state == "run" and retry.key != "k2"


async def test_an_answer_is_recorded_told_and_what_repeats_hear(world: World) -> None:
    async def job(key: str, preflight: Preflight) -> Answer | None:
        return Answer("Saved it.", "123")

    assert await _run(world, "k3", job) is None
    assert world.notifier.texts() == ["Saved it."]
    assert await world.store.get_result("k3") == "123"

    async def repeat(result: str) -> str:
        return f"Already done: {result}."

    errors = await world.write.runner.run_submission("k3", Who(), job, name="test", repeat=repeat)
    await world.background.idle()
    assert errors is None and world.notifier.texts() == ["Saved it.", "Already done: 123."]


async def test_a_submission_still_running_is_not_run_again(world: World) -> None:
    release = asyncio.Event()
    runs: list[str] = []

    async def job(key: str, preflight: Preflight) -> Answer | None:
        runs.append(key)
        preflight.passed()
        await release.wait()
        return Answer("Done.", "7")

    runner = world.write.runner
    assert await runner.run_submission("k4", Who(), job, name="t", repeat=_never) is None
    assert await runner.run_submission("k4", Who(), job, name="t", repeat=_never) is None
    release.set()
    await world.background.idle()
    assert runs == ["k4"] and world.notifier.texts() == ["Done."]


async def test_an_unexpected_failure_is_told_and_frees_the_submission(world: World) -> None:
    async def job(key: str, preflight: Preflight) -> Answer | None:
        raise RuntimeError("bug")

    await _run(world, "k5", job)
    assert world.background.failed == ["test"]
    ((user, channel, exc),) = world.notifier.failures
    assert (user, channel) == (USER, CHANNEL) and isinstance(exc, RuntimeError)
    assert await world.store.get_result("k5") == FAILED


async def test_nothing_is_recorded_or_told_when_another_process_answers(world: World) -> None:
    async def job(key: str, preflight: Preflight) -> Answer | None:
        return None

    assert await _run(world, "k6", job) is None
    assert world.notifier.told == [] and await world.store.get_result("k6") is None


async def test_a_failure_for_no_input_closes_the_form_at_once_and_is_told(world: World) -> None:
    async def job(key: str, preflight: Preflight) -> Answer | None:
        raise UserError("Slack would not give me the thread.")

    assert await _run(world, "k7", job) is None
    assert world.notifier.texts() == ["Slack would not give me the thread."]


async def test_a_resumed_job_settles_under_its_first_key_without_a_claim(world: World) -> None:
    closed = Preflight()
    closed.passed()
    seen: list[str] = []

    async def job(key: str, preflight: Preflight) -> Answer | None:
        seen.append(key)
        return Answer("Finished.", "9")

    await world.store.claim_once("first", 3600)  # the dead process's claim
    await world.write.runner.settle("first", Who(), job, closed)
    assert seen == ["first"] and await world.store.get_result("first") == "9"
    assert world.notifier.texts() == ["Finished."]
