"""A process-local fake LLM provider that speaks the OpenAI, Azure, Anthropic, Gemini and Ollama wires.

Tests and benchmarks point the real provider SDKs at :class:`FakeProviderServer` instead of the
internet. Behaviour is scripted per request (:class:`Reply`, :class:`Fail`, :class:`Hang`,
:class:`Reset`, :class:`NotJSON`, and the faults of a started answer from :mod:`tests.fakes.faults`:
:class:`Cut`, :class:`Stall`, :class:`ErrorEvent`, :class:`OneBody`, :class:`Html200`); when nothing
is scripted the server answers with a value generated from the JSON schema the client asked for, so a
well-behaved client always gets a parseable answer. :meth:`FakeProviderServer.down` fails every
request until :meth:`FakeProviderServer.up` (an outage).

Run ``python -m tests.fakes.fake_provider --port 8765`` to serve until Ctrl-C for manual poking
(``--fault cut:2,ok`` makes every other request a cut stream).
"""

from __future__ import annotations

import argparse
import itertools
import signal
import threading
import time

from tests.fakes.faults import (
    PORTAL_PAGE,
    Cut,
    CutHow,
    ErrorEvent,
    Html200,
    OneBody,
    Stall,
)
from tests.fakes.schema_answers import (
    HOSTILE_TEXTS,
    HostileResponder,
    value_from_schema,
)
from tests.fakes.server import FakeProviderServer
from tests.fakes.steps import (
    FAKE_API_KEY,
    Fail,
    Hang,
    NotJSON,
    RecordedRequest,
    Reply,
    Reset,
    Responder,
    Step,
)

__all__ = [
    "FAKE_API_KEY",
    "HOSTILE_TEXTS",
    "PORTAL_PAGE",
    "Cut",
    "ErrorEvent",
    "Fail",
    "FakeProviderServer",
    "Hang",
    "HostileResponder",
    "Html200",
    "NotJSON",
    "OneBody",
    "RecordedRequest",
    "Reply",
    "Reset",
    "Stall",
    "Step",
    "fault_step",
    "main",
    "value_from_schema",
]

_CUT_HOW: dict[str, CutHow] = {"cut": "drop", "cut-drop": "drop", "cut-reset": "reset", "cut-eof": "eof"}

FAULT_HELP = (
    "comma-separated behaviours answered in turn, round and round: ok, cut[:N], cut-reset[:N], "
    "cut-eof[:N], stall[:N], error[:KIND[:N]], one-body, html200, reset, hang, or an HTTP status "
    "such as 500 (N: events sent before the fault)"
)


def fault_step(spec: str) -> Step:
    """The step a command-line fault spec names (see ``FAULT_HELP``): ``cut:2``, ``error:api_error``."""
    name, _, rest = spec.strip().lower().partition(":")
    args = [part for part in rest.split(":") if part] if rest else []
    try:
        if name == "ok":
            return Reply()
        if name.isdigit():
            return Fail(int(name))
        if name in _CUT_HOW:
            return Cut(after_chunks=int(args[0]) if args else 2, how=_CUT_HOW[name])
        if name == "stall":
            return Stall(after_chunks=int(args[0]) if args else 1)
        if name == "error":
            kind = spec.strip().split(":")[1] if args else None  # the provider's spelling, case kept
            return ErrorEvent(kind=kind, after_chunks=int(args[1]) if len(args) > 1 else 1)
    except ValueError:
        raise ValueError(f"bad fault {spec!r}: {FAULT_HELP}") from None
    simple: dict[str, Step] = {"one-body": OneBody(), "html200": Html200(), "reset": Reset(), "hang": Hang()}
    if name in simple:
        return simple[name]
    raise ValueError(f"unknown fault {spec!r}: {FAULT_HELP}")


class _FaultCycle:
    """A responder that answers with ``steps`` in turn; ``ok`` goes to ``fallback`` when there is one."""

    def __init__(self, steps: list[Step], fallback: Responder | None) -> None:
        self._steps = itertools.cycle(steps)
        self._fallback = fallback
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Step:
        with self._lock:
            step = next(self._steps)
        if step == Reply() and self._fallback is not None:
            return self._fallback(request)
        return step


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C: ``python -m tests.fakes.fake_provider --port 8765 --latency 0.2 --rpm 60``."""
    parser = argparse.ArgumentParser(description="Fake LLM provider for manual runs and benchmarks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--rpm", type=int, default=None, help="requests per minute before 429s")
    parser.add_argument("--hostile", action="store_true", help="answer with HOSTILE_TEXTS (Jinja, ...)")
    parser.add_argument(
        "--refuse",
        default="",
        help="comma-separated parameters the model refuses: temperature, json_schema, json_object",
    )
    parser.add_argument("--fault", default="", help=FAULT_HELP)
    args = parser.parse_args(argv)
    try:
        faults = [fault_step(spec) for spec in args.fault.split(",") if spec.strip()]
    except ValueError as error:
        parser.error(str(error))
    # A process started from a shell's background job (or a CI runner) inherits SIGINT ignored, and
    # Python then leaves it ignored: say explicitly that SIGINT (and SIGTERM) stop the server cleanly.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    server = FakeProviderServer(latency=args.latency, rpm_limit=args.rpm, host=args.host, port=args.port)
    if args.hostile:
        server.responder = HostileResponder()
    if faults:
        server.responder = _FaultCycle(faults, server.responder)
    server.refuse = {name.strip() for name in args.refuse.split(",") if name.strip()}
    server.start()
    base = server.base_url
    try:
        # Inside the try: a Ctrl-C that arrives while the banner is still being printed is a clean stop too.
        print(f"fake provider listening on {base}", flush=True)
        print(
            f"  OPENAI_BASE_URL={base}/v1  OLLAMA_BASE_URL={base}/v1  LM_STUDIO_BASE_URL={base}/v1",
            flush=True,
        )
        print(
            f"  ANTHROPIC_BASE_URL={base}  GOOGLE_GEMINI_BASE_URL={base}  AZURE_OPENAI_BASE_URL={base}",
            flush=True,
        )
        print("  any API key is accepted", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        totals = server.usage_totals()
        server.stop()
        print(f"served {totals['requests']} requests", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
