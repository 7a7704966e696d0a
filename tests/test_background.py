"""Background work: tracked, logged when it fails, finished or cancelled at shutdown."""

from __future__ import annotations

import asyncio
import inspect
import logging

import pytest

from bot import logs
from bot.background import BackgroundTasks


async def test_spawn_runs_and_forgets_finished_work() -> None:
    tasks = BackgroundTasks()
    done = asyncio.Event()

    async def job() -> str:
        done.set()
        return "ok"

    task = tasks.spawn(job(), name="job")
    assert task.get_name() == "job"
    assert tasks.pending == 1
    assert await task == "ok"
    await asyncio.sleep(0)  # done callbacks run on the next loop turn
    assert done.is_set()
    assert tasks.pending == 0


async def test_wait_idle_includes_work_spawned_meanwhile() -> None:
    tasks = BackgroundTasks()
    order: list[str] = []

    async def child() -> None:
        await asyncio.sleep(0.001)
        order.append("child")

    async def parent() -> None:
        await asyncio.sleep(0)
        tasks.spawn(child(), name="child")
        order.append("parent")

    tasks.spawn(parent(), name="parent")
    async with asyncio.timeout(2):
        await tasks.wait_idle()
    assert order == ["parent", "child"]
    assert tasks.pending == 0


async def test_wait_idle_with_nothing_running_returns() -> None:
    async with asyncio.timeout(1):
        await BackgroundTasks().wait_idle()


async def test_drain_lets_running_work_finish_within_grace() -> None:
    tasks = BackgroundTasks()
    release = asyncio.Event()
    finished: list[str] = []

    async def job() -> None:
        await release.wait()
        finished.append("job")

    task = tasks.spawn(job(), name="slow-but-in-time")
    drain = asyncio.create_task(tasks.drain(grace_seconds=5))
    await asyncio.sleep(0)  # one loop turn: drain starts and waits for the job
    assert not drain.done() and tasks.pending == 1
    release.set()
    async with asyncio.timeout(2):
        await drain
    assert finished == ["job"]
    assert not task.cancelled()


async def test_drain_cancels_work_past_grace(caplog: pytest.LogCaptureFixture) -> None:
    tasks = BackgroundTasks()
    cancelled = asyncio.Event()

    async def stuck() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    task = tasks.spawn(stuck(), name="stuck-job")
    await asyncio.sleep(0)
    with caplog.at_level(logging.WARNING, logger="bot.background"):
        async with asyncio.timeout(2):
            await tasks.drain(grace_seconds=0.01)
    assert task.cancelled()
    assert cancelled.is_set()
    assert tasks.pending == 0
    assert any("stuck-job" in r.getMessage() for r in caplog.records)


async def test_drain_with_nothing_running_returns_immediately() -> None:
    async with asyncio.timeout(1):
        await BackgroundTasks().drain(grace_seconds=30)


async def test_new_work_refused_after_drain() -> None:
    tasks = BackgroundTasks()
    await tasks.drain(grace_seconds=0)
    ran: list[str] = []

    async def job() -> None:
        ran.append("job")

    coro = job()
    with pytest.raises(RuntimeError, match="shutting down"):
        tasks.spawn(coro, name="late")
    # The refused coroutine was closed, so no "never awaited" warning and it never runs.
    assert inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED
    await asyncio.sleep(0)
    assert ran == []
    assert tasks.pending == 0


async def test_failing_task_is_logged_with_its_name_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tasks = BackgroundTasks()

    async def broken() -> None:
        raise ValueError("kaboom")

    with caplog.at_level(logging.ERROR, logger="bot.background"):
        tasks.spawn(broken(), name="unfurl:C123")
        async with asyncio.timeout(2):
            await tasks.wait_idle()  # does not raise
        await asyncio.sleep(0)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "unfurl:C123" in errors[0].getMessage()
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], ValueError)


async def test_failing_task_runs_on_error_after_logging_who(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tasks = BackgroundTasks()
    told: list[str] = []

    async def broken() -> None:
        raise ValueError("kaboom")

    async def tell() -> None:
        told.append("sorry")

    async def cannot_tell() -> None:
        raise RuntimeError("slack down")

    with caplog.at_level(logging.ERROR, logger="bot.background"):
        tasks.spawn(broken(), name="save", about="user=U1 team=T1", on_error=tell)
        tasks.spawn(broken(), name="share", about="user=U2", on_error=cannot_tell)
        async with asyncio.timeout(2):
            await tasks.wait_idle()
    assert told == ["sorry"]
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "background task failed name=save user=U1 team=T1" in messages
    assert "could not report a failed background task name=share user=U2" in messages


async def test_cancelled_task_is_not_logged_as_failure(caplog: pytest.LogCaptureFixture) -> None:
    tasks = BackgroundTasks()
    task = tasks.spawn(asyncio.sleep(10), name="sleepy")
    with caplog.at_level(logging.ERROR, logger="bot.background"):
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert tasks.pending == 0


async def test_request_id_propagates_into_spawned_tasks() -> None:
    tasks = BackgroundTasks()
    seen: list[str] = []

    async def job() -> None:
        await asyncio.sleep(0)
        seen.append(logs.request_id.get())

    async def handler(rid: str) -> None:
        logs.new_request_id(rid)
        tasks.spawn(job(), name=f"job-{rid}")

    # Each handler runs in its own context, as bolt's listeners do.
    await asyncio.gather(handler("req-a"), handler("req-b"))
    async with asyncio.timeout(2):
        await tasks.wait_idle()
    assert sorted(seen) == ["req-a", "req-b"]
    assert logs.request_id.get() == "-"


async def test_spawned_task_changes_do_not_leak_back() -> None:
    tasks = BackgroundTasks()
    logs.request_id.set("outer")

    async def job() -> None:
        logs.request_id.set("inner")

    tasks.spawn(job(), name="job")
    await tasks.wait_idle()
    assert logs.request_id.get() == "outer"
