"""Turn a model's reply into checked JSON: find the JSON, parse it, validate it against a schema.

Providers are asked for JSON through their own structured-output mechanism where they have one, but
the reply is checked here either way: local models ignore ``response_format``, proxies drop it, and
a truncated answer is still text. Extraction accepts a bare value, a Markdown-fenced block, or a value
with prose around it; validation covers the JSON Schema subset this project writes (``type``,
``properties``, ``required``, ``additionalProperties``, ``items``, ``enum``) and the bounds a strict
provider cannot be told (``minLength``/``maxLength``, ``minimum``/``maximum`` and their exclusive forms,
``minItems``/``maxItems``, ``pattern``), so dropping them from what is sent (``strict_subset``) never
lets an answer through that breaks them.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from dbt_osmosis.core.llm.exceptions import LLMResponseError

__all__ = [
    "EXCERPT_CHARS",
    "excerpt",
    "extract_json",
    "is_strict_compatible",
    "json_instruction",
    "parse_structured",
    "strict_subset",
    "validate_schema",
]

#: How much of an unusable reply an error message quotes; enough to recognise it, short enough to read.
EXCERPT_CHARS = 200

_FENCE = re.compile(r"```[ \t]*(?:json|JSON|json5)?[ \t]*\r?\n?(.*?)```", re.DOTALL)

_TYPE_CHECKS: Mapping[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    # bool is an int subclass in Python but not a number in JSON.
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Return a one-line, bounded excerpt of ``text`` for an error message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def extract_json(text: str) -> Any:
    """Find and parse the JSON value in ``text``; raise ``ValueError`` when there is none.

    Tried in order: the whole text, each fenced block, then the first balanced ``{...}`` or ``[...]``
    that parses. The last step is what rescues "Here is the JSON you asked for: {...} Hope it helps".
    """
    stripped = text.strip()
    if not stripped:
        raise ValueError("the reply is empty")
    try:
        return json.loads(stripped)
    except json.JSONDecodeError:
        pass
    for match in _FENCE.finditer(stripped):
        block = match.group(1).strip()
        try:
            return json.loads(block)
        except json.JSONDecodeError:
            continue
    decoder = json.JSONDecoder()
    for index, char in enumerate(stripped):
        if char not in "{[":
            continue
        try:
            value, _end = decoder.raw_decode(stripped, index)
        except json.JSONDecodeError:
            continue
        return value
    raise ValueError("no JSON value found in the reply")


def validate_schema(value: Any, schema: Mapping[str, Any], path: str = "$") -> list[str]:
    """Return every way ``value`` breaks ``schema`` (empty when it conforms), each naming its path."""
    problems: list[str] = []
    expected = schema.get("type")
    if expected is not None:
        names = [expected] if isinstance(expected, str) else list(expected)
        if not any(_TYPE_CHECKS.get(name, lambda _v: True)(value) for name in names):
            problems.append(f"{path}: expected {' or '.join(names)}, got {_json_type(value)}")
            return problems
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} is not one of {list(schema['enum'])!r}")
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in value:
                problems.append(f"{path}: missing required property {name!r}")
        for name, item in value.items():
            if name in properties:
                problems.extend(validate_schema(item, properties[name], f"{path}.{name}"))
                continue
            extra = schema.get("additionalProperties", True)
            if extra is False:
                problems.append(f"{path}: unexpected property {name!r}")
            elif isinstance(extra, Mapping):
                problems.extend(validate_schema(item, extra, f"{path}.{name}"))
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            problems.extend(validate_schema(item, schema["items"], f"{path}[{index}]"))
    problems.extend(_bounds(value, schema, path))
    return problems


def _bounds(value: Any, schema: Mapping[str, Any], path: str) -> list[str]:
    """How ``value`` breaks the schema's length, size, range and pattern bounds."""
    problems: list[str] = []
    if isinstance(value, str):
        low, high = schema.get("minLength"), schema.get("maxLength")
        if _is_number(low) and len(value) < low:
            problems.append(f"{path}: {len(value)} characters, fewer than the minimum of {low}")
        if _is_number(high) and len(value) > high:
            problems.append(f"{path}: {len(value)} characters, more than the maximum of {high}")
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                matched = re.search(pattern, value) is not None
            except re.error:
                matched = True  # a pattern Python cannot read is not the answer's fault
            if not matched:
                problems.append(f"{path}: {excerpt(value, 60)!r} does not match the pattern {pattern!r}")
    elif isinstance(value, list):
        low, high = schema.get("minItems"), schema.get("maxItems")
        if _is_number(low) and len(value) < low:
            problems.append(f"{path}: {len(value)} items, fewer than the minimum of {low}")
        if _is_number(high) and len(value) > high:
            problems.append(f"{path}: {len(value)} items, more than the maximum of {high}")
    elif _is_number(value):
        checks = (
            ("minimum", operator.ge, "below the minimum of"),
            ("exclusiveMinimum", operator.gt, "not above"),
            ("maximum", operator.le, "above the maximum of"),
            ("exclusiveMaximum", operator.lt, "not below"),
        )
        for keyword, holds, words in checks:
            bound = schema.get(keyword)
            if _is_number(bound) and not holds(value, bound):
                problems.append(f"{path}: {value!r} is {words} {bound!r}")
    return problems


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_structured(
    text: str,
    schema: Mapping[str, Any] | None,
    *,
    provider: str | None = None,
    model: str | None = None,
    request_id: str | None = None,
    finish_reason: str | None = None,
) -> Any:
    """Extract JSON from ``text`` and validate it; any failure is an ``LLMResponseError`` with an excerpt."""
    context: dict[str, Any] = {"provider": provider, "model": model, "request_id": request_id}
    truncated = finish_reason in {"length", "max_tokens", "MAX_TOKENS"}
    hint = " (the reply was cut off at the token limit)" if truncated else ""
    try:
        value = extract_json(text)
    except ValueError as exc:
        raise LLMResponseError(
            f"The model did not return usable JSON: {exc}{hint}. Reply began: {excerpt(text)!r}", **context
        ) from None
    if schema is not None:
        problems = validate_schema(value, schema)
        if problems:
            shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
            raise LLMResponseError(
                f"The model's JSON does not match the expected shape: {shown}{hint}. "
                f"Reply began: {excerpt(text)!r}",
                **context,
            )
    return value


def is_strict_compatible(schema: Mapping[str, Any]) -> bool:
    """Tell whether OpenAI's strict mode accepts ``schema``: closed objects, every property required."""
    if schema.get("type") == "object" or "properties" in schema:
        properties: Mapping[str, Any] = schema.get("properties", {})
        if schema.get("additionalProperties", True) is not False:
            return False
        if set(schema.get("required", ())) != set(properties):
            return False
        if not all(isinstance(sub, Mapping) and is_strict_compatible(sub) for sub in properties.values()):
            return False
    items = schema.get("items")
    return not (isinstance(items, Mapping) and not is_strict_compatible(items))


#: Keywords that strict (constrained-decoding) output does not take, per Anthropic's structured
#: outputs documentation: numeric and length bounds, array sizes, patterns. They are left out of what is
#: sent, named in the description instead, and still checked on the answer (``validate_schema``).
_NOT_STRICT = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)
#: String formats strict output knows; others are left out like the bounds above.
_STRICT_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)
#: Schema keywords whose meaning strict output cannot take: a schema using one is not sent strict.
_INEXPRESSIBLE = ("oneOf", "not", "if", "then", "else", "patternProperties", "dependentSchemas")


def strict_subset(schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """``schema`` rewritten into the subset strict structured output accepts, or ``None`` if it cannot be.

    Every object is closed (``additionalProperties: false``, which strict output requires); bounds it
    does not take (``maxLength``, ``minimum``, ``pattern``, ``maxItems``, unknown formats, ``minItems``
    above 1) move into the description; a schema with an open typed map (``additionalProperties`` as
    a schema), ``oneOf``, ``not`` or conditionals cannot be expressed, and is asked for another way.
    The root must be an object. The result depends on ``schema`` alone, so every request with the same
    schema sends the same bytes (it opens the prompt the provider caches).
    """
    if not _is_object_schema(schema):
        return None
    return _strict_node(schema)


def _is_object_schema(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in schema


def _not_strict(key: str, value: Any) -> bool:
    """Whether ``key: value`` is a bound strict output does not take (moved into the description)."""
    if key == "format":
        return value not in _STRICT_FORMATS
    if key == "minItems":
        return not (_is_number(value) and value <= 1)
    return key in _NOT_STRICT


def _strict_node(schema: Mapping[str, Any]) -> dict[str, Any] | None:
    if any(keyword in schema for keyword in _INEXPRESSIBLE):
        return None
    out: dict[str, Any] = {}
    moved: dict[str, Any] = {}
    for key, value in schema.items():
        if _not_strict(key, value):
            moved[key] = value
        elif key in ("properties", "$defs", "definitions") and isinstance(value, Mapping):
            children: dict[str, Any] = {}
            for name, child in value.items():
                converted = _strict_node(child) if isinstance(child, Mapping) else None
                if converted is None:
                    return None
                children[name] = converted
            out[key] = children
        elif key == "items" and isinstance(value, Mapping):
            converted = _strict_node(value)
            if converted is None:
                return None
            out[key] = converted
        elif key in ("anyOf", "allOf") and isinstance(value, list):
            branches = [_strict_node(branch) if isinstance(branch, Mapping) else None for branch in value]
            if any(branch is None for branch in branches):
                return None
            out[key] = branches
        elif key == "additionalProperties":
            if isinstance(value, Mapping):
                return None  # an open map of typed values: closing it would forbid every entry
            out[key] = False
        else:
            out[key] = value
    if _is_object_schema(schema):
        out["additionalProperties"] = False
    if moved:
        said = ", ".join(f"{key} {json.dumps(value)}" for key, value in moved.items())
        described = str(out.get("description") or "").strip()
        out["description"] = f"{described} ({said})" if described else f"({said})"
    return out


def json_instruction(schema: Mapping[str, Any]) -> str:
    """Return the prompt text that asks for schema-shaped JSON when the provider has no native mechanism."""
    return (
        "Answer with a single JSON value and nothing else: no Markdown fences, no commentary. "
        "It must conform to this JSON Schema:\n" + json.dumps(schema, indent=2, sort_keys=True)
    )


def _json_type(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _TYPE_CHECKS[name](value):
            return name
    return type(value).__name__
