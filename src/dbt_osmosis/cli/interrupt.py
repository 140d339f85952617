"""Ctrl-C (or SIGTERM) during a run: stop in order, keep what is finished, and never show a traceback.

SIGTERM is what CI timeouts, ``timeout`` and ``docker stop`` send; it is handled as Ctrl-C is, so a
run stopped that way finishes the file (or the group of files joined by a moved entry) it is writing.

Python's default (and ``asyncio.run``'s) handling turns a second Ctrl-C, pressed while the first one
is still cancelling requests, into a ``KeyboardInterrupt`` raised inside the event loop's shutdown:
every task still in flight then ends with its own traceback. Here the first Ctrl-C cancels the run's
``CancelToken``, so every node either finishes or is dropped whole (where the run cannot stop in order,
dbt parsing the project, it raises ``KeyboardInterrupt`` as usual); a second one only says what is
happening; a third one quits at once without writing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

from rich.console import Console

from dbt_osmosis.api import CancelToken
from dbt_osmosis.exit_codes import ExitCode

__all__ = ["InterruptGuard"]


class InterruptGuard:
    """Owns SIGINT for the length of a ``with`` block (main thread only; elsewhere it does nothing)."""

    def __init__(self, console: Console, *, on_interrupt: Callable[[], None] | None = None) -> None:
        self.console = console
        self.on_interrupt = on_interrupt
        self.count = 0
        #: Handed to the API call run inside the block.
        self.token: CancelToken = CancelToken()
        self._previous: Any = None
        self._previous_term: Any = None
        self._installed = False

    def __enter__(self) -> InterruptGuard:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._previous_term = signal.signal(signal.SIGTERM, self._handle)
            self._installed = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            signal.signal(signal.SIGTERM, self._previous_term)
            self._installed = False

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C was pressed inside the block."""
        return self.count > 0

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count == 1:
            if self.on_interrupt is not None:
                self.on_interrupt()
            if self.token.cancel():
                return
            raise KeyboardInterrupt
        if self.count == 2:
            # Straight to the file descriptor: the handler can run in the middle of the console's own
            # print (even inside one of rich's lazy imports), which must not be re-entered.
            _write_raw(
                self.console,
                "Stopping: keeping every node finished so far. Press Ctrl-C again to quit without writing.\n",
            )
            return
        os._exit(ExitCode.INTERRUPTED)


def _write_raw(console: Console, text: str) -> None:
    # No real file behind the console (tests, a closed pipe): nothing to say it on.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.write(console.file.fileno(), text.encode("utf-8", "replace"))
