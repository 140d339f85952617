"""Answers the fake provider makes up from the JSON schema a client asked for, and the hostile ones."""

from __future__ import annotations

import itertools
import json
import math
import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from tests.fakes.steps import RecordedRequest, Reply, Step


def _resolve_ref(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    node: Any = root
    for token in ref.lstrip("#/").split("/"):
        if not token:
            continue
        token = unquote(token).replace("~1", "/").replace("~0", "~")
        node = node.get(token) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def value_from_schema(schema: Mapping[str, Any], name: str = "value") -> Any:
    """Build a deterministic JSON value that satisfies the common parts of ``schema``.

    Every declared property is filled (recursively); strings mention the property they belong to so
    a test can see which answer landed where.
    """
    return _generate(dict(schema), dict(schema), name, depth=0)


def _generate(schema: dict[str, Any], root: dict[str, Any], name: str, depth: int) -> Any:
    if depth > 12:
        # Self-referencing schemas (trees) would otherwise recurse forever.
        return None
    if "$ref" in schema and isinstance(schema["$ref"], str):
        merged = {**_resolve_ref(schema["$ref"], root), **{k: v for k, v in schema.items() if k != "$ref"}}
        return _generate(merged, root, name, depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "any_of", "one_of"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            non_null = [o for o in options if isinstance(o, dict) and _type_of(o) != "null"]
            return _generate((non_null or options)[0], root, name, depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged = {}
        for part in schema["allOf"]:
            if isinstance(part, dict):
                merged.update(part)
        merged.update({k: v for k, v in schema.items() if k != "allOf"})
        return _generate(merged, root, name, depth + 1)

    kind = _type_of(schema)
    if kind == "object":
        props = schema.get("properties") or {}
        out: dict[str, Any] = {}
        for prop, sub in props.items():
            out[prop] = _generate(sub if isinstance(sub, dict) else {}, root, prop, depth + 1)
        for prop in schema.get("required") or []:
            if prop not in out:
                out[prop] = _string_for(prop, {})
        return out
    if kind == "array":
        items = schema.get("items")
        count = max(1, int(schema.get("minItems") or schema.get("min_items") or 1))
        if isinstance(items, dict):
            named = _enum_of_name(items)
            if named:
                # Like a real model asked about a list of columns: one item per listed name, each
                # described in its own words (a copy of one text everywhere is rejected for quality).
                return [_named_item(_generate(items, root, name, depth + 1), value) for value in named]
            return [_generate(items, root, name, depth + 1) for _ in range(count)]
        return [_string_for(name, {}) for _ in range(count)]
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string_for(name, schema)


def _named_item(item: Any, value: Any) -> Any:
    if not isinstance(item, dict):
        return item
    # Words beyond the column's own name: a name like fake_column would otherwise be "restated".
    text = f"Fake description of {value}, as the fake provider answers it."
    described = {key: text if key == "description" else v for key, v in item.items()}
    return {**described, "name": value}


def _enum_of_name(items: Mapping[str, Any]) -> list[Any]:
    name = (items.get("properties") or {}).get("name")
    if isinstance(name, dict) and isinstance(name.get("enum"), list):
        return list(name["enum"])
    return []


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if isinstance(k, str) and k.lower() != "null"]
        kind = non_null[0] if non_null else "null"
    if isinstance(kind, str):
        # Gemini's OpenAPI subset spells types in upper case.
        return kind.lower()
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _string_for(name: str, schema: Mapping[str, Any]) -> str:
    text = f"Fake description of {name}."
    max_len = schema.get("maxLength") or schema.get("max_length")
    if isinstance(max_len, int) and max_len > 0:
        text = text[:max_len]
    return text


def _schema_in_prompt(prompt: str) -> dict[str, Any] | None:
    """A JSON schema written into the prompt after the words "JSON Schema", as a good model reads it."""
    at = prompt.find("JSON Schema")
    if at < 0:
        return None
    start = prompt.find("{", at)
    if start < 0:
        return None
    try:
        value, _end = json.JSONDecoder().raw_decode(prompt, start)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


_COLUMNS_FENCE = re.compile(r"(`{3,})columns\n(?P<body>.*?)\n\1", re.DOTALL)
# "- name (data type)": the type may hold parentheses of its own (DECIMAL(18,2)).
_LISTED_NAME = re.compile(r"^- (?P<name>.+?)(?: \(.*\))?$")


def prompt_columns(prompt: str) -> list[str]:
    """The column names a synthesis prompt lists in its fenced ``columns`` block, as a model reads them."""
    found = _COLUMNS_FENCE.search(prompt)
    if found is None:
        return []
    names = []
    for line in found.group("body").splitlines():
        match = _LISTED_NAME.match(line.strip())
        if match:
            names.append(match.group("name"))
    return names


def answer_schema(request: RecordedRequest, schema: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The schema a good model answers (``schema``, default the one sent), with the names the prompt lists.

    A schema that leaves column names open (the same schema for every model) is answered, like a real
    model would, with one entry per column the prompt asks about.
    """
    schema = request.json_schema if schema is None else schema
    if schema is None:
        return None
    items = ((schema.get("properties") or {}).get("columns") or {}).get("items")
    name = ((items or {}).get("properties") or {}).get("name") if isinstance(items, dict) else None
    if not isinstance(name, dict) or "enum" in name or not _COLUMNS_FENCE.search(request.prompt_text):
        return schema
    listed = prompt_columns(request.prompt_text)
    columns = {**schema["properties"]["columns"]}
    columns["items"] = {**items, "properties": {**items["properties"], "name": {**name, "enum": listed}}}
    if not listed:
        columns = {"const": []}  # only the model description is asked for
    return {**schema, "properties": {**schema["properties"], "columns": columns}}


def _default_text(request: RecordedRequest, asks_json: bool) -> str:
    schema = answer_schema(request)
    if schema is not None:
        return json.dumps(value_from_schema(schema))
    in_prompt = _schema_in_prompt(request.prompt_text)
    if in_prompt is not None:
        # JSON mode or a prompt-only instruction: answer the schema the prompt spells out.
        return json.dumps(value_from_schema(answer_schema(request, in_prompt) or in_prompt))
    if asks_json or "json" in request.prompt_text.lower():
        return json.dumps({"answer": "Fake answer from the fake provider."})
    return "This is a fake answer from the fake provider."


def _estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


# ----------------------------------------------------------------------------------------------------
# Hostile mode: a provider that answers whatever it likes
# ----------------------------------------------------------------------------------------------------

#: Descriptions a careless or hostile model may send, each a way to break a dbt project or leak a key
#: if written as is: live Jinja, YAML 1.1 words and times, a lone surrogate, control characters, an
#: empty string and a 10,000-character essay.
HOSTILE_TEXTS: tuple[str, ...] = (
    'Holds {{ env_var("OPENAI_API_KEY") }} for reference.',
    "{{ config(materialized='table') }}",
    "{% if is_incremental() %}new rows only",
    "{# a comment that never closes",
    "A {% raw %} tag and {% endraw %} in prose.",
    "Yes",
    "Off",
    "on",
    "12:30",
    "~",
    "lone \ud800 surrogate",
    "bell\x07 nul\x00 escape\x1b[31m red\x7f",
    "",
    "The amount in cents, before refunds. " * 271,
)

_MODEL_NAME = re.compile(r"Document the dbt model `([^`]+)`")
_CREDENTIAL_HEADERS = ("authorization", "api-key", "x-api-key", "x-goog-api-key")


class HostileResponder:
    """A responder that fills every description of a structured answer with ``HOSTILE_TEXTS``, in turn.

    Each text is used once before any repeats, so a run over enough columns meets all of them.
    ``given[(model, field)]`` records what was answered where (``field`` is a column name, or ``""``
    for the model description), so a test can compare what was written with what was sent.
    With ``echo_credentials`` every answer also carries the request's key (without "Bearer ") in an
    ``x-echoed-credential`` header, as a misbehaving proxy might.
    """

    def __init__(self, texts: tuple[str, ...] = HOSTILE_TEXTS, *, echo_credentials: bool = False) -> None:
        self.texts = texts
        self.echo_credentials = echo_credentials
        self.given: dict[tuple[str, str], str] = {}
        #: Every text answered per place, in order: a re-ask (after an unusable answer) adds one.
        self.history: dict[tuple[str, str], list[str]] = {}
        self._next = itertools.count()
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Step:
        """Answer ``request`` with the next hostile texts in the shape its schema asks for."""
        headers: dict[str, str] = {}
        if self.echo_credentials:
            for name in _CREDENTIAL_HEADERS:
                if request.headers.get(name):
                    # The bare key, without "Bearer ": only the verbatim secret list can hide it.
                    headers["x-echoed-credential"] = re.sub(r"(?i)^bearer\s+", "", request.headers[name])
        if request.json_schema is None:
            return Reply(text=json.dumps({"description": self._take("", "")}), headers=headers)
        answer = value_from_schema(answer_schema(request) or request.json_schema)
        found = _MODEL_NAME.search(request.prompt_text)
        model = found.group(1) if found else ""
        if isinstance(answer, dict):
            if "description" in answer:
                answer["description"] = self._take(model, "")
            for column in answer.get("columns") or []:
                if isinstance(column, dict):
                    column["description"] = self._take(model, str(column.get("name")))
        return Reply(text=json.dumps(answer), headers=headers)

    def _take(self, model: str, name: str) -> str:
        with self._lock:
            text = self.texts[next(self._next) % len(self.texts)]
            self.given[(model, name)] = text
            self.history.setdefault((model, name), []).append(text)
        return text
