"""Ctrl-C during a run: stop in order, keep what is finished, and never show a traceback.

Python's default (and ``asyncio.run``'s) handling turns a second Ctrl-C, pressed while the first one
is still cancelling requests, into a ``KeyboardInterrupt`` raised inside the event loop's shutdown:
every task still in flight then ends with its own traceback. Here the first Ctrl-C cancels the one
task running the work, so every node either finishes or is dropped whole; a second one only says what
is happening; a third one quits at once without writing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Any, TypeVar

from rich.console import Console

__all__ = ["InterruptGuard", "Interrupted"]

_T = TypeVar("_T")

EXIT_INTERRUPTED = 130


class Interrupted(Exception):
    """The user pressed Ctrl-C; the work stopped in order."""


class InterruptGuard:
    """Owns SIGINT for the length of a ``with`` block (main thread only; elsewhere it does nothing)."""

    def __init__(self, console: Console, *, on_interrupt: Callable[[], None] | None = None) -> None:
        self.console = console
        self.on_interrupt = on_interrupt
        self.count = 0
        self._cancel: Callable[[], None] | None = None
        self._previous: Any = None
        self._installed = False

    def __enter__(self) -> InterruptGuard:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C was pressed inside the block."""
        return self.count > 0

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Inside the block, Ctrl-C is only noted (``interrupted``); the work in it finishes."""
        self._cancel = _noop
        try:
            yield
        finally:
            self._cancel = None

    def run(self, work: Coroutine[Any, Any, _T]) -> _T:
        """Run ``work`` in a fresh event loop; the first Ctrl-C cancels it and raises ``Interrupted``."""
        loop = asyncio.new_event_loop()
        task = loop.create_task(work)

        def cancel() -> None:
            loop.call_soon_threadsafe(task.cancel)

        self._cancel = cancel
        try:
            if self.count:  # pressed before the loop even started
                task.cancel()
            return loop.run_until_complete(task)
        except asyncio.CancelledError:
            raise Interrupted from None
        finally:
            self._cancel = None
            _close(loop)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count == 1:
            if self.on_interrupt is not None:
                self.on_interrupt()
            if self._cancel is not None:
                self._cancel()
                return
            raise KeyboardInterrupt
        if self.count == 2:
            self.console.print(
                "Stopping: keeping every node finished so far. Press Ctrl-C again to quit without writing.",
                highlight=False,
            )
            return
        os._exit(EXIT_INTERRUPTED)


def _noop() -> None:
    return None


def _close(loop: asyncio.AbstractEventLoop) -> None:
    # What asyncio.run does on the way out, minus re-raising into tasks that are already finished.
    try:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()
