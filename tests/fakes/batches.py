"""The three providers' batch APIs, as the fake provider server speaks them.

Written from the providers' public documentation and the request code of the SDKs the project uses:

- OpenAI Batch (and Azure OpenAI's global batch, same shapes under ``/openai``): a JSONL file uploaded
  with ``POST /v1/files`` (``purpose=batch``), ``POST /v1/batches`` naming it, ``GET /v1/batches/{id}``
  until ``status`` is ``completed``, then the results as JSONL from ``GET /v1/files/{output_file_id}/
  content`` (failed lines in ``error_file_id``); ``POST /v1/batches/{id}/cancel``.
- Anthropic Message Batches: ``POST /v1/messages/batches`` with ``requests: [{custom_id, params}]``,
  ``GET /v1/messages/batches/{id}`` until ``processing_status`` is ``ended``, then JSONL lines
  ``{custom_id, result: {type: succeeded|errored|canceled|expired, ...}}`` from ``results_url``;
  ``POST .../{id}/cancel``.
- Gemini batch mode (google-genai 3.x, Developer API): ``POST /v1beta/models/{model}:batchGenerateContent``
  with ``batch.inputConfig.requests.requests: [{request, metadata}]``; ``GET /v1beta/batches/{id}``
  returns ``{name, metadata: {state: BATCH_STATE_*, output: {inlinedResponses: {inlinedResponses:
  [{response | error, metadata}]}}}}``; ``POST /v1beta/batches/{id}:cancel``.

A batch stays in progress until the test completes it (``server.batches.complete_all()``) or until it
has been polled ``complete_after_polls`` times. Each item is answered when its batch completes, by the
same machinery that answers a synchronous request: scripted steps (``server.script_for(match, Fail(400))``
fails that item), the responder, or the default answer generated from the item's JSON schema.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.http_handler import _Handler
    from tests.fakes.server import FakeProviderServer
    from tests.fakes.steps import RecordedRequest

__all__ = ["FakeBatch", "FakeBatches"]

_OPENAI_ROOTS = ("/v1", "/openai", "")


@dataclass
class FakeBatch:
    """One submitted batch: its items (``custom_id`` -> wire body), state and answers once completed."""

    id: str
    wire: str
    model: str
    items: dict[str, dict[str, Any]]
    status: str = "in_progress"
    polls: int = 0
    #: ``custom_id`` -> the provider's reply payload, for the items that succeeded.
    answers: dict[str, Any] = field(default_factory=dict)
    #: ``custom_id`` -> (HTTP status, error body), for the items that failed.
    errors: dict[str, tuple[int, Any]] = field(default_factory=dict)
    created_at: int = field(default_factory=lambda: int(time.time()))


class _Capture:
    """Stands in for the HTTP handler when a batch item is answered: keeps the payload it is sent."""

    def __init__(self) -> None:
        self.payload: Any = None

    def send_json(self, status: int, payload: Any, headers: Any) -> None:
        self.payload = payload

    def send_events(self, events: list[bytes], headers: Any) -> None:  # pragma: no cover - never streams
        raise AssertionError("a batch item never streams")


class FakeBatches:
    """The batch endpoints of one ``FakeProviderServer``; tests drive completion and failures here."""

    def __init__(self, owner: FakeProviderServer) -> None:
        self._owner = owner
        self._lock = threading.Lock()
        self.batches: dict[str, FakeBatch] = {}
        #: Uploaded OpenAI input files: id -> JSONL text.
        self.files: dict[str, str] = {}
        #: A batch completes by itself once polled this many times (``None``: only when told).
        self.complete_after_polls: int | None = None
        #: Every batch call received, as ``(method, path)``, oldest first.
        self.calls: list[tuple[str, str]] = []

    # -- what tests use -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every batch and file (the server's ``reset`` calls this)."""
        with self._lock:
            self.batches.clear()
            self.files.clear()
            self.calls.clear()
            self.complete_after_polls = None

    def complete_all(self) -> int:
        """Answer every item of every batch still in progress; returns how many batches completed."""
        with self._lock:
            waiting = [batch for batch in self.batches.values() if batch.status == "in_progress"]
        for batch in waiting:
            self._complete(batch)
        return len(waiting)

    @property
    def in_progress(self) -> list[FakeBatch]:
        """Batches submitted and neither completed nor cancelled."""
        with self._lock:
            return [batch for batch in self.batches.values() if batch.status == "in_progress"]

    @property
    def item_count(self) -> int:
        """How many items were submitted in all batches."""
        with self._lock:
            return sum(len(batch.items) for batch in self.batches.values())

    # -- routing --------------------------------------------------------------------------------------

    def handle(self, handler: _Handler, method: str, path: str, raw: bytes, headers: dict[str, str]) -> bool:
        """Answer ``path`` if it is a batch endpoint; ``False`` leaves it to the server's other routes."""
        for root in _OPENAI_ROOTS:
            if path == f"{root}/files" and method == "POST":
                return self._done(handler, method, path, self._upload(raw, headers))
            if path.startswith(f"{root}/files/") and path.endswith("/content") and method == "GET":
                file_id = path[len(f"{root}/files/") : -len("/content")]
                return self._file_content(handler, method, path, file_id)
            if path == f"{root}/batches" and method == "POST":
                return self._done(handler, method, path, self._openai_create(_json(raw)))
            if path.startswith(f"{root}/batches/"):
                rest = path[len(f"{root}/batches/") :]
                if method == "GET" and "/" not in rest:
                    return self._done(handler, method, path, self._poll_view(rest, "openai"))
                if method == "POST" and rest.endswith("/cancel"):
                    return self._done(
                        handler, method, path, self._cancel_view(rest[: -len("/cancel")], "openai")
                    )
        if path == "/v1/messages/batches" and method == "POST":
            return self._done(handler, method, path, self._anthropic_create(_json(raw)))
        if path.startswith("/v1/messages/batches/"):
            rest = path[len("/v1/messages/batches/") :]
            if method == "GET" and rest.endswith("/results"):
                return self._anthropic_results(handler, method, path, rest[: -len("/results")])
            if method == "GET" and "/" not in rest:
                return self._done(handler, method, path, self._poll_view(rest, "anthropic"))
            if method == "POST" and rest.endswith("/cancel"):
                return self._done(
                    handler, method, path, self._cancel_view(rest[: -len("/cancel")], "anthropic")
                )
        for version in ("/v1beta", "/v1", "/v1alpha"):
            if path.startswith(f"{version}/models/") and path.endswith(":batchGenerateContent"):
                model = path[len(f"{version}/models/") : -len(":batchGenerateContent")]
                return self._done(handler, method, path, self._gemini_create(model, _json(raw)))
            if path.startswith(f"{version}/batches/"):
                rest = path[len(f"{version}/batches/") :]
                if method == "POST" and rest.endswith(":cancel"):
                    return self._done(
                        handler, method, path, self._cancel_view(rest[: -len(":cancel")], "gemini")
                    )
                if method == "GET":
                    return self._done(handler, method, path, self._poll_view(rest, "gemini"))
        return False

    def _done(self, handler: _Handler, method: str, path: str, answer: tuple[int, Any]) -> bool:
        with self._lock:
            self.calls.append((method, path))
        status, payload = answer
        handler.send_json(status, payload, {})
        return True

    # -- OpenAI ---------------------------------------------------------------------------------------

    def _upload(self, raw: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        content_type = headers.get("content-type", "")
        if "boundary=" not in content_type:
            return 400, {
                "error": {"message": "expected multipart/form-data", "type": "invalid_request_error"}
            }
        boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
        fields: dict[str, bytes] = {}
        for part in raw.split(b"--" + boundary):
            head, _, body = part.partition(b"\r\n\r\n")
            if b'name="' not in head:
                continue
            name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
            fields[name] = body.rsplit(b"\r\n", 1)[0] if body.endswith(b"\r\n") else body
        if fields.get("purpose", b"").strip() != b"batch" or "file" not in fields:
            return 400, {"error": {"message": "purpose must be 'batch'", "type": "invalid_request_error"}}
        file_id = f"file-{uuid.uuid4().hex[:24]}"
        with self._lock:
            self.files[file_id] = fields["file"].decode("utf-8")
        return 200, {
            "id": file_id,
            "object": "file",
            "bytes": len(fields["file"]),
            "created_at": int(time.time()),
            "filename": "batch.jsonl",
            "purpose": "batch",
            "status": "processed",
        }

    def _openai_create(self, body: Any) -> tuple[int, Any]:
        file_id = body.get("input_file_id") if isinstance(body, dict) else None
        with self._lock:
            text = self.files.get(str(file_id))
        if text is None:
            return 404, {
                "error": {"message": f"No such File object: {file_id}", "type": "invalid_request_error"}
            }
        items: dict[str, dict[str, Any]] = {}
        model = ""
        for line in text.splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            items[entry["custom_id"]] = entry["body"]
            model = entry["body"].get("model", model)
        wire = "azure" if str(body.get("endpoint", "")).startswith("/chat") else "openai"
        batch = self._add(f"batch_{uuid.uuid4().hex[:24]}", wire, model, items)
        return 200, self._view(batch)

    def _file_content(self, handler: _Handler, method: str, path: str, file_id: str) -> bool:
        with self._lock:
            self.calls.append((method, path))
            text = self.files.get(file_id)
        if text is None:
            handler.send_json(404, {"error": {"message": f"No such File object: {file_id}"}}, {})
        else:
            handler.send_raw(200, text.encode("utf-8"), "application/octet-stream", {})
        return True

    def _openai_outputs(self, batch: FakeBatch) -> None:
        """Write the output and error files of a completed OpenAI batch."""
        lines, errors = [], []
        for custom_id in batch.items:
            if custom_id in batch.answers:
                lines.append(
                    {
                        "id": f"batch_req_{uuid.uuid4().hex[:16]}",
                        "custom_id": custom_id,
                        "response": {
                            "status_code": 200,
                            "request_id": uuid.uuid4().hex,
                            "body": batch.answers[custom_id],
                        },
                        "error": None,
                    }
                )
            elif custom_id in batch.errors:
                status, error = batch.errors[custom_id]
                errors.append(
                    {
                        "id": f"batch_req_{uuid.uuid4().hex[:16]}",
                        "custom_id": custom_id,
                        "response": {"status_code": status, "request_id": uuid.uuid4().hex, "body": error},
                        "error": None,
                    }
                )
        with self._lock:
            if lines:
                self.files[f"file-out-{batch.id}"] = "".join(json.dumps(line) + "\n" for line in lines)
            if errors:
                self.files[f"file-err-{batch.id}"] = "".join(json.dumps(line) + "\n" for line in errors)

    # -- Anthropic ------------------------------------------------------------------------------------

    def _anthropic_create(self, body: Any) -> tuple[int, Any]:
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            return 400, {
                "type": "error",
                "error": {"type": "invalid_request_error", "message": "requests: empty"},
            }
        items = {entry["custom_id"]: entry["params"] for entry in requests}
        model = str(requests[0]["params"].get("model", ""))
        batch = self._add(f"msgbatch_{uuid.uuid4().hex[:24]}", "anthropic", model, items)
        return 200, self._view(batch)

    def _anthropic_results(self, handler: _Handler, method: str, path: str, batch_id: str) -> bool:
        with self._lock:
            self.calls.append((method, path))
            batch = self.batches.get(batch_id)
        if batch is None or batch.status == "in_progress":
            handler.send_json(
                404, {"type": "error", "error": {"type": "not_found_error", "message": "no results"}}, {}
            )
            return True
        lines = []
        for custom_id in batch.items:
            result: dict[str, Any]
            if custom_id in batch.answers:
                result = {"type": "succeeded", "message": batch.answers[custom_id]}
            elif custom_id in batch.errors:
                result = {"type": "errored", "error": batch.errors[custom_id][1]}
            else:
                result = {"type": "canceled"}
            lines.append(json.dumps({"custom_id": custom_id, "result": result}) + "\n")
        handler.send_raw(200, "".join(lines).encode("utf-8"), "application/binary", {})
        return True

    # -- Gemini ---------------------------------------------------------------------------------------

    def _gemini_create(self, model: str, body: Any) -> tuple[int, Any]:
        config = body.get("batch", {}).get("inputConfig", {}) if isinstance(body, dict) else {}
        requests = config.get("requests", {}).get("requests")
        if not isinstance(requests, list) or not requests:
            return 400, {
                "error": {"code": 400, "message": "no inlined requests", "status": "INVALID_ARGUMENT"}
            }
        items: dict[str, dict[str, Any]] = {}
        for index, entry in enumerate(requests):
            key = (entry.get("metadata") or {}).get("key") or str(index)
            items[str(key)] = entry["request"]
        batch = self._add(f"batches/{uuid.uuid4().hex[:20]}", "gemini", model, items)
        return 200, self._view(batch)

    # -- shared ---------------------------------------------------------------------------------------

    def _add(self, batch_id: str, wire: str, model: str, items: dict[str, dict[str, Any]]) -> FakeBatch:
        batch = FakeBatch(batch_id, wire, model, items)
        with self._lock:
            self.batches[batch_id.removeprefix("batches/")] = batch
        return batch

    def _poll_view(self, batch_id: str, wire: str) -> tuple[int, Any]:
        with self._lock:
            batch = self.batches.get(batch_id)
        if batch is None:
            return 404, _not_found(wire, batch_id)
        batch.polls += 1
        limit = self.complete_after_polls
        if batch.status == "in_progress" and limit is not None and batch.polls >= limit:
            self._complete(batch)
        return 200, self._view(batch)

    def _cancel_view(self, batch_id: str, wire: str) -> tuple[int, Any]:
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return 404, _not_found(wire, batch_id)
            if batch.status == "in_progress":
                batch.status = "cancelled"
        return 200, self._view(batch)

    def _complete(self, batch: FakeBatch) -> None:
        """Answer every item the way a synchronous request with the same body would be answered."""
        from tests.fakes.steps import Fail, Reply
        from tests.fakes.wire_replies import _error_body, _status_message

        for custom_id, body in batch.items.items():
            record = self._record(batch, body)
            step = self._owner._next_step(record)
            if step is None:
                responder = self._owner.responder
                step = responder(record) if responder is not None else Reply()
            if isinstance(step, Fail):
                wire = "openai" if batch.wire == "azure" else batch.wire
                error = (
                    step.body
                    if step.body is not None
                    else _error_body(wire, step.status, _status_message(step.status))
                )
                batch.errors[custom_id] = (step.status, error)
                continue
            capture = _Capture()
            reply = step if isinstance(step, Reply) else Reply()
            from tests.fakes.request_parsing import _json_schema

            _, asks_json = _json_schema(record.wire, body)
            # Batch items read and write the prompt cache as synchronous requests do (items answered
            # in turn: an item reads what an earlier one wrote), when the server accounts caching.
            caching = self._owner.prompt_cache
            wire = "openai" if record.wire == "azure" else record.wire
            cache_usage = caching.account(wire, record.model or "", body) if caching else None
            self._owner._send_reply(capture, record, reply, asks_json, cache_usage)  # type: ignore[arg-type]
            if caching is not None and cache_usage is not None:
                caching.commit(cache_usage)
            batch.answers[custom_id] = capture.payload
        if batch.wire in ("openai", "azure"):
            self._openai_outputs(batch)
        batch.status = "completed"

    def _record(self, batch: FakeBatch, body: dict[str, Any]) -> RecordedRequest:
        from tests.fakes.request_parsing import _json_schema, _prompt_text
        from tests.fakes.steps import RecordedRequest

        wire = batch.wire
        schema, _ = _json_schema(wire, body)
        return RecordedRequest(
            wire=wire,
            method="POST",
            path=f"(batch {batch.id})",
            query={},
            headers={},
            body=body,
            model=str(body.get("model") or batch.model),
            prompt_text=_prompt_text(wire, body),
            json_schema=schema,
            received_at=self._owner.clock(),
        )

    def _view(self, batch: FakeBatch) -> dict[str, Any]:
        """The batch object as the batch's provider describes it."""
        done = batch.status != "in_progress"
        succeeded, failed = len(batch.answers), len(batch.errors)
        if batch.wire in ("openai", "azure"):
            status = batch.status
            return {
                "id": batch.id,
                "object": "batch",
                "endpoint": "/v1/chat/completions",
                "errors": None,
                "input_file_id": "file-in",
                "completion_window": "24h",
                "status": status,
                "output_file_id": f"file-out-{batch.id}" if done and succeeded else None,
                "error_file_id": f"file-err-{batch.id}" if done and failed else None,
                "created_at": batch.created_at,
                "request_counts": {"total": len(batch.items), "completed": succeeded, "failed": failed},
            }
        if batch.wire == "anthropic":
            return {
                "id": batch.id,
                "type": "message_batch",
                "processing_status": "ended" if done else "in_progress",
                "request_counts": {
                    "processing": 0 if done else len(batch.items),
                    "succeeded": succeeded,
                    "errored": failed,
                    "canceled": len(batch.items) - succeeded - failed if batch.status == "cancelled" else 0,
                    "expired": 0,
                },
                "created_at": "2026-01-01T00:00:00Z",
                "expires_at": "2026-01-02T00:00:00Z",
                "ended_at": "2026-01-01T00:10:00Z" if done else None,
                "cancel_initiated_at": None,
                "archived_at": None,
                "results_url": f"{self._owner.base_url}/v1/messages/batches/{batch.id}/results"
                if done
                else None,
            }
        state = {"in_progress": "BATCH_STATE_RUNNING", "completed": "BATCH_STATE_SUCCEEDED"}.get(
            batch.status, "BATCH_STATE_CANCELLED"
        )
        metadata: dict[str, Any] = {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
            "model": f"models/{batch.model}",
            "displayName": "dbt-osmosis",
            "state": state,
            "createTime": "2026-01-01T00:00:00Z",
        }
        if batch.status == "completed":
            responses = []
            for custom_id in batch.items:
                entry: dict[str, Any] = {"metadata": {"key": custom_id}}
                if custom_id in batch.answers:
                    entry["response"] = batch.answers[custom_id]
                else:
                    status, error = batch.errors[custom_id]
                    entry["error"] = error.get("error", error) if isinstance(error, dict) else error
                responses.append(entry)
            metadata["output"] = {"inlinedResponses": {"inlinedResponses": responses}}
        return {"name": batch.id, "metadata": metadata, "done": done}


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _not_found(wire: str, batch_id: str) -> Any:
    message = f"batch {batch_id} not found"
    if wire == "anthropic":
        return {"type": "error", "error": {"type": "not_found_error", "message": message}}
    if wire == "gemini":
        return {"error": {"code": 404, "message": message, "status": "NOT_FOUND"}}
    return {"error": {"message": message, "type": "invalid_request_error"}}
