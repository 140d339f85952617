"""What each model accepts, learned from its refusals and remembered between runs.

Real models refuse parameters: OpenAI's reasoning models (o1, o3, o4, the gpt-5 family) answer HTTP 400
to any ``temperature`` but the default, older models, many Azure deployments and gateways answer 400
to ``response_format: json_schema``, and Anthropic models or platforms without structured outputs
answer ``output_config.format: Extra inputs are not permitted``. Sending every request of a run that
way would fail them all.

``classify_refusal`` reads a provider's 400 and says which parameter it refused. ``CapabilityStore``
keeps, per provider and model, what to send instead: no temperature, and JSON asked for one step more
simply (``strict`` -> ``schema`` -> ``object`` -> ``prompt``; every answer is still validated against
the schema).
It writes what it learned to a small JSON file so the next run of the same model starts right, and it
lets only one request of a model whose parameters are not confirmed yet be in flight, so a run pays
for a few refused requests, not one per node.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import re
import tempfile
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbt_osmosis.core.llm.logging import get_logger
from dbt_osmosis.core.llm.settings import JSON_MODES, JsonMode

__all__ = [
    "CAPABILITIES_FILE",
    "CapabilityStore",
    "ModelParams",
    "classify_refusal",
    "rejects_temperature_by_default",
    "shared_store",
]

#: The file, inside ``LLMSettings.cache_dir``, that remembers learned capabilities between runs.
CAPABILITIES_FILE = "llm-capabilities.json"
# 2: the "strict" JSON mode exists. A version-1 entry's "schema" was the best mode there was then, not
# a step down from "strict", so it is read as "nothing learned about JSON" (see ``_Entry.json_known``).
_FORMAT_VERSION = 2

# Model families documented to accept only their default temperature. The prefix may carry a
# gateway's vendor path ("openai/o3-mini"); Azure deployments named otherwise are learned instead.
_NO_TEMPERATURE = re.compile(r"^(?:[\w.-]+/)*(?:o1|o3|o4|gpt-5)(?:$|[-.:_])", re.IGNORECASE)

# Words with which providers and gateways say "this parameter is not accepted here".
_REFUSAL_WORDS = (
    "unsupported",
    "not supported",
    "does not support",
    "invalid parameter",
    "unknown parameter",
    "unrecognized",
    "unknown name",
    "not allowed",
    "not permitted",
    "not enabled",
)
# Ways the wires spell structured output in a parameter name or an error message.
_STRUCTURED_NAMES = (
    "response_format",
    "json_schema",
    "json_object",
    "response_json_schema",
    "responsejsonschema",
    "response_schema",
    "responseschema",
    "response_mime_type",
    "responsemimetype",
    "json mode",
    "tool_choice",
    "tools",
    # Anthropic's JSON outputs, and the beta parameter they replaced.
    "output_config",
    "output_format",
    "structured output",
)


def rejects_temperature_by_default(model: str) -> bool:
    """Whether ``model`` belongs to a family known to refuse any non-default temperature."""
    return bool(_NO_TEMPERATURE.match(model.strip()))


def classify_refusal(status: int | None, body: Any, message: str) -> str | None:
    """Which parameter an HTTP error refuses: ``"temperature"``, ``"response_format"`` or ``None``.

    Matches what providers really send, for example OpenAI's ``{"error": {"message": "Unsupported
    value: 'temperature' does not support 0.2 with this model. Only the default (1) value is
    supported.", "type": "invalid_request_error", "param": "temperature", "code":
    "unsupported_value"}}`` and Azure's ``"Invalid parameter: 'response_format' of type 'json_schema'
    is not supported with this model."`` (with ``param`` null). A rejected *schema* ("Invalid schema
    for response_format ...") is our bug, not a missing capability, so it is not a refusal.
    """
    if status not in (400, 422):
        return None
    error: Any = body.get("error", body) if isinstance(body, Mapping) else None
    param = ""
    code = ""
    if isinstance(error, Mapping):
        param = str(error.get("param") or "").lower()
        code = str(error.get("code") or "").lower()
    text = message.lower()
    if "invalid schema" in text:
        return None
    refusing = code in {"unsupported_value", "unsupported_parameter", "invalid_parameter"} or any(
        word in text for word in _REFUSAL_WORDS
    )
    if param == "temperature" or param.endswith(".temperature"):
        return "temperature"
    if param and any(name in param.replace(".", "_") for name in _STRUCTURED_NAMES):
        return "response_format"
    if not refusing:
        return None
    if "temperature" in text:
        return "temperature"
    if any(name in text for name in _STRUCTURED_NAMES):
        return "response_format"
    return None


@dataclass(frozen=True)
class ModelParams:
    """What to send one model: a temperature or not, and how to ask for JSON."""

    send_temperature: bool = True
    json_mode: JsonMode = "schema"

    def to_json(self) -> dict[str, Any]:
        """The file form of these parameters."""
        return {"temperature": self.send_temperature, "json_mode": self.json_mode}

    @classmethod
    def from_json(cls, raw: Any) -> ModelParams | None:
        """Parameters read back from the file, or ``None`` when the entry is not understood."""
        if not isinstance(raw, Mapping):
            return None
        temperature = raw.get("temperature", True)
        mode = raw.get("json_mode", "schema")
        if not isinstance(temperature, bool) or mode not in JSON_MODES:
            return None
        return cls(send_temperature=temperature, json_mode=mode)


@dataclass
class _Entry:
    params: ModelParams
    #: True once a request with these parameters was accepted (here or in an earlier run).
    confirmed: bool = False
    #: True once the probe gate may let every request through (confirmed, or probing stopped helping).
    open: bool = False
    #: False for a version-1 file's "schema": the start parameters decide the JSON mode (``current``).
    json_known: bool = True


class CapabilityStore:
    """Learned parameters per ``(provider, model)``, shared by every client of a process.

    ``path`` is the JSON file to read on creation and to rewrite (atomically) when something new is
    learned; ``None`` keeps everything in memory. A broken or unreadable file is ignored with a
    warning: it only costs the run a refused request or two.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        #: Endpoints that answered a streamed request with one whole body: they are not asked to stream.
        self._no_stream: set[str] = set()
        self._thread_gates: dict[str, threading.Lock] = {}
        self._loop_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
            weakref.WeakKeyDictionary()
        )
        if path is not None:
            self._load(path)

    @staticmethod
    def key(provider: str, model: str) -> str:
        """The file's key for one model."""
        return f"{provider}/{model}"

    def known(self, provider: str, model: str) -> ModelParams | None:
        """What was learned about this model (this run or an earlier one), if anything."""
        with self._lock:
            entry = self._entries.get(self.key(provider, model))
            return entry.params if entry else None

    def current(self, provider: str, model: str, start: ModelParams) -> ModelParams:
        """The parameters to send now: what was learned, else ``start`` (which is then remembered)."""
        with self._lock:
            entry = self._entries.setdefault(self.key(provider, model), _Entry(start))
            if not entry.json_known:
                entry.json_known = True
                if entry.params.json_mode != start.json_mode:
                    # Remembered before "strict" existed: try the best mode again, probe first.
                    entry.params = dataclasses.replace(entry.params, json_mode=start.json_mode)
                    entry.confirmed = entry.open = False
            return entry.params

    def override(self, provider: str, model: str, params: ModelParams) -> None:
        """Start from ``params`` whatever was learned before (the user set them by hand)."""
        with self._lock:
            entry = self._entries.get(self.key(provider, model))
            if entry is None or entry.params != params:
                # A JSON mode taken over from a version-1 entry is still not known (see ``current``).
                unknown = (
                    entry is not None and not entry.json_known and entry.params.json_mode == params.json_mode
                )
                self._entries[self.key(provider, model)] = _Entry(params, json_known=not unknown)

    def is_open(self, provider: str, model: str) -> bool:
        """Whether requests to this model may go out in parallel (its parameters are settled)."""
        with self._lock:
            entry = self._entries.get(self.key(provider, model))
            return entry is not None and entry.open

    def settle(self, provider: str, model: str, *, accepted: bool) -> None:
        """A request ended other than by a refusal: open the gate; ``accepted`` confirms the params."""
        changed = False
        with self._lock:
            entry = self._entries.get(self.key(provider, model))
            if entry is None:
                return
            entry.open = True
            if accepted and not entry.confirmed:
                entry.confirmed = True
                changed = True
        if changed:
            self._save()

    def learn(
        self,
        provider: str,
        model: str,
        sent: ModelParams,
        parameter: str,
        ladder: Sequence[JsonMode],
    ) -> ModelParams | None:
        """Step down after ``parameter`` was refused for a request sent with ``sent``.

        Returns the parameters to send the request with now, or ``None`` when there is nothing left to
        drop. When another request already learned the same lesson, the current parameters are
        returned unchanged, so concurrent refusals never step down twice.
        """
        with self._lock:
            key = self.key(provider, model)
            entry = self._entries.setdefault(key, _Entry(sent))
            current = entry.params
            if parameter == "temperature":
                if not sent.send_temperature:
                    return None
                if current.send_temperature:
                    current = dataclasses.replace(current, send_temperature=False)
            elif parameter == "response_format":
                if sent.json_mode != current.json_mode:
                    return current  # someone else stepped down already
                lower = _below(current.json_mode, ladder)
                if lower is None:
                    return None
                current = dataclasses.replace(current, json_mode=lower)
            else:
                return None
            changed = current != entry.params
            entry.params = current
            entry.confirmed = False
        if changed:
            get_logger().warning(
                "%s model %s refused %s; %s from now on (remembered in %s).",
                provider,
                model,
                _refused(provider, parameter, sent),
                _describe(current) if parameter == "temperature" else _asking(provider, current),
                self.path or "memory",
            )
            self._save()
        return current

    # ---- endpoints that do not stream -------------------------------------------------------------

    def streams(self, endpoint: str) -> bool:
        """False once ``endpoint`` answered a streamed request with one whole body (a gateway, a proxy)."""
        with self._lock:
            return endpoint not in self._no_stream

    def learn_no_stream(self, endpoint: str) -> None:
        """Remember that ``endpoint`` ignores ``stream``: later requests ask for a plain reply."""
        with self._lock:
            if endpoint in self._no_stream:
                return
            self._no_stream.add(endpoint)
        get_logger().warning(
            "%s answered a streamed request with one whole reply; asking it for plain replies from now "
            "on (remembered in %s).",
            endpoint,
            self.path or "memory",
        )
        self._save()

    # ---- the probe gate ---------------------------------------------------------------------------

    def thread_gate(self, provider: str, model: str) -> threading.Lock:
        """The lock that keeps a single unconfirmed request of this model in flight (threads)."""
        with self._lock:
            return self._thread_gates.setdefault(self.key(provider, model), threading.Lock())

    def loop_gate(self, provider: str, model: str) -> asyncio.Lock:
        """The same gate for asyncio callers; one per event loop, as asyncio locks are bound to one."""
        loop = asyncio.get_running_loop()
        with self._lock:
            gates = self._loop_gates.setdefault(loop, {})
            return gates.setdefault(self.key(provider, model), asyncio.Lock())

    # ---- persistence ------------------------------------------------------------------------------

    def _load(self, path: Path) -> None:
        try:
            raw = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            get_logger().warning("Ignoring unreadable model capabilities file %s: %s", path, exc)
            return
        endpoints = raw.get("endpoints") if isinstance(raw, Mapping) else None
        if isinstance(endpoints, Mapping):
            self._no_stream.update(
                str(key)
                for key, value in endpoints.items()
                if isinstance(value, Mapping) and value.get("stream") is False
            )
        models = raw.get("models") if isinstance(raw, Mapping) else None
        if not isinstance(models, Mapping):
            return
        version = raw.get("version")
        for key, value in models.items():
            params = ModelParams.from_json(value)
            if params is not None:
                # No JSON mode written, or a version-1 "schema": nothing is known about JSON.
                known = "json_mode" in value and not (version == 1 and params.json_mode == "schema")
                self._entries[str(key)] = _Entry(params, confirmed=True, open=known, json_known=known)

    def _save(self) -> None:
        if self.path is None:
            return
        with self._lock:
            models = {
                key: _entry_json(entry)
                for key, entry in sorted(self._entries.items())
                if entry.confirmed or entry.params != ModelParams()
            }
            endpoints = {key: {"stream": False} for key in sorted(self._no_stream)}
        document: dict[str, Any] = {"version": _FORMAT_VERSION, "models": models}
        if endpoints:
            document["endpoints"] = endpoints
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(document, out, indent=2, sort_keys=True)
                    out.write("\n")
                os.replace(temp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except OSError as exc:
            # Remembering is an optimisation; a read-only target folder must not fail the run.
            get_logger().warning("Could not save model capabilities to %s: %s", self.path, exc)


def _entry_json(entry: _Entry) -> dict[str, Any]:
    data = entry.params.to_json()
    if not entry.json_known:
        del data["json_mode"]  # still unknown: the next run starts from the provider's best mode
    return data


def _below(mode: JsonMode, ladder: Sequence[JsonMode]) -> JsonMode | None:
    """The next simpler way of asking for JSON that this provider offers, or ``None``."""
    order = list(JSON_MODES)
    for candidate in order[order.index(mode) + 1 :]:
        if candidate in ladder or candidate == "prompt":
            return candidate
    return None


_HOW: dict[JsonMode, str] = {
    "strict": "strict structured output",
    "schema": "a JSON schema",
    "object": "JSON mode (schema in the prompt)",
    "prompt": "JSON asked for in the prompt",
}


def _describe(params: ModelParams) -> str:
    temperature = "a temperature" if params.send_temperature else "no temperature"
    return f"sending {temperature} and {_HOW[params.json_mode]}"


def _asking(provider: str, params: ModelParams) -> str:
    if params.json_mode == "schema" and provider == "anthropic":
        return "asking with a forced tool instead"
    if params.json_mode == "prompt":
        return "asking for JSON in the prompt only"
    return f"asking with {_HOW[params.json_mode]}"


def _refused(provider: str, parameter: str, sent: ModelParams) -> str:
    """The refused parameter as the user knows it: strict output is Anthropic's ``output_config``."""
    if parameter == "response_format" and sent.json_mode == "strict":
        return "strict structured output (output_config.format)"
    if parameter == "response_format" and provider == "anthropic":
        return "a forced tool (tools)"
    return parameter


def shared_store(cache_dir: Path | None) -> CapabilityStore:
    """The default runtime's store for ``cache_dir`` (``None``: in memory); see ``LLMRuntime``."""
    from dbt_osmosis.core.llm.runtime import default_runtime

    return default_runtime().capability_store(cache_dir)


def reset_shared_stores() -> None:
    """Forget the default runtime's stores (a long-lived process starting an unrelated run)."""
    from dbt_osmosis.core.llm.runtime import default_runtime

    default_runtime().forget_capability_stores()
