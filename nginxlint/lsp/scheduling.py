"""When a lint runs: after the editor has been quiet for a moment, in a
thread of its own, and only when its text is still the newest.

Typing sends a didChange per keystroke. Each one supersedes what is
pending for its document: a lint waiting out its quiet period is
cancelled, and one already running is left to finish and its result
dropped, so the diagnostics shown are never older than ones already
shown. Lints run one at a time in a single worker thread (the Workspace
is not thread-safe, and hover or a code action joins the same queue),
never on the event loop: the server keeps reading messages while a tree
is linted. No protocol types here: server.py hands in what to run and
what to do with its result.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

# Long enough to coalesce a burst of keystrokes, short enough that the
# diagnostics follow the typing (a warm lint of the reference tree takes ~15 ms).
QUIET_SECONDS = 0.2

T = TypeVar("T")


class LintQueue:
    """`changed(key, work, done)`: run `work()` in the worker thread once
    `key` has had no newer change for `delay` seconds, then `done(result)`
    on the event loop, unless a newer change came meanwhile."""

    def __init__(self, delay: float = QUIET_SECONDS, on_error: Callable[[Exception], None] = lambda exc: None) -> None:
        self.delay = delay
        self.on_error = on_error
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="nginxlint-lint")
        self._generation: dict[str, int] = {}
        self._waiting: dict[str, asyncio.Task] = {}

    def generation(self, key: str) -> int:
        """How many changes `key` has had: a result computed at one generation is stale at the next."""
        return self._generation.get(key, 0)

    def changed(self, key: str, work: Callable[[], T], done: Callable[[T], None], at_once: bool = False) -> None:
        """Call from the event loop: a newer change of `key` supersedes any
        pending one. `at_once`: no quiet period (a file just opened or saved)."""
        generation = self._generation[key] = self.generation(key) + 1
        pending = self._waiting.pop(key, None)
        if pending is not None:
            pending.cancel()
        delay = 0.0 if at_once else self.delay
        self._waiting[key] = asyncio.get_running_loop().create_task(self._later(key, generation, delay, work, done))

    def cancel(self, key: str) -> None:
        """Drop whatever is pending for `key` (a closed document)."""
        self._generation[key] = self.generation(key) + 1
        pending = self._waiting.pop(key, None)
        if pending is not None:
            pending.cancel()

    async def run(self, work: Callable[[], T]) -> T:
        """`work()` in the worker thread, in turn with the lints (hover, code actions)."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, work)

    def submit(self, work: Callable[[], object]) -> None:
        """`work()` in the worker thread after what is queued, for no one to wait on (housekeeping)."""
        with contextlib.suppress(RuntimeError):  # shut down: nothing left to keep
            self._worker.submit(work)

    async def _later(self, key: str, generation: int, delay: float, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        await asyncio.sleep(delay)
        if self._waiting.get(key) is asyncio.current_task():
            del self._waiting[key]
        current = lambda: self.generation(key) == generation  # noqa: E731 - read twice, in two threads
        try:
            result = await self.run(lambda: work() if current() else None)
        except Exception as exc:  # noqa: BLE001 - a bad policy or project config: say so, keep serving
            if current():
                self.on_error(exc)
            return
        if result is not None and current():
            done(result)

    def shutdown(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
