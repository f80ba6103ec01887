"""Examinations run in worker processes, never on the event loop.

Saxon and lxml hold the GIL or run native code for their whole call; in a thread they would
still slow every other request of the process, and a hostile file that makes them loop or
grow could take the server with it. So each examination runs in a small pool of separate
processes (spawned, not forked: no copy of the server's connections or threads) that keep
their compiled stylesheets. A task past its time limit, or a worker that dies, ends the
pool; the file is reported as not checkable and the next call starts a fresh pool.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import resource
import threading
from collections.abc import Callable
from multiprocessing.pool import Pool
from typing import Any, TypeVar

from workmate.config import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

_lock = threading.Lock()
_pool: Pool | None = None


class ExaminationFailed(Exception):
    """The worker did not answer in time or died (a hostile or pathological file)."""


def _limit_worker(memory_bytes: int) -> None:
    # The data segment limit bounds what a parser can allocate; address space (RLIMIT_AS)
    # would also count the native runtime's reserved but unused virtual memory.
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))


def _get_pool() -> Pool:
    global _pool
    with _lock:
        if _pool is None:
            settings = get_settings()
            ctx = multiprocessing.get_context("spawn")
            _pool = ctx.Pool(
                processes=max(1, settings.einvoice_workers),
                initializer=_limit_worker,
                initargs=(settings.einvoice_worker_memory_bytes,),
                maxtasksperchild=500,
            )
        return _pool


def shutdown() -> None:
    """End the worker processes (at exit, and after a stuck task)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.terminate()
        pool.join()


atexit.register(shutdown)


async def run(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) in a worker process; the event loop stays free while it runs."""
    limit = get_settings().einvoice_timeout_seconds
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def done(value: Any) -> None:
        loop.call_soon_threadsafe(_settle, future, value, None)

    def failed(exc: BaseException) -> None:
        loop.call_soon_threadsafe(_settle, future, None, exc)

    pool = _get_pool()
    pool.apply_async(fn, args, callback=done, error_callback=failed)
    try:
        return await asyncio.wait_for(future, limit)
    except TimeoutError:
        log.warning("e-invoice examination exceeded %.0f s; restarting the worker pool", limit)
        if pool is _pool:
            await asyncio.to_thread(shutdown)
        raise ExaminationFailed(f"the check did not finish within {limit:.0f} s") from None


def _settle(future: asyncio.Future[Any], value: Any, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(ExaminationFailed(f"the check failed: {type(exc).__name__}"))
    else:
        future.set_result(value)
