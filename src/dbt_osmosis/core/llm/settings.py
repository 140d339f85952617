"""The run-wide knobs of the LLM layer, read once at the edge: CLI flag > ``OSMOSIS_LLM_*`` > default.

Provider variables (keys, models, base URLs) belong to ``providers.py``; this module owns only the
``OSMOSIS_LLM_*`` family so that every one of them is parsed, validated and documented in one place.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from dbt_osmosis.core.llm.exceptions import LLMConfigError

__all__ = ["ENV_DEFAULTS", "JSON_MODES", "JsonMode", "LLMSettings"]

#: How structured output is asked for, best first: the provider's strict (constrained) JSON output
#: where it has one apart from its schema mechanism (Anthropic's ``output_config.format``; elsewhere
#: ``strict`` is ``schema``), the JSON-schema mechanism, its plain JSON mode, or an instruction in the
#: prompt. Every mode's answer is validated against the schema all the same.
JsonMode = Literal["strict", "schema", "object", "prompt"]
JSON_MODES: tuple[JsonMode, ...] = ("strict", "schema", "object", "prompt")

#: Every ``OSMOSIS_LLM_*`` variable with its default, as documented in the README and migration guide.
ENV_DEFAULTS: Mapping[str, str | None] = {
    "OSMOSIS_LLM_PROMPT_FILE": None,
    "OSMOSIS_LLM_TIMEOUT": "120",
    "OSMOSIS_LLM_CONNECT_TIMEOUT": "10",
    "OSMOSIS_LLM_RATE_LIMIT": "60",
    "OSMOSIS_LLM_TOKENS_PER_MINUTE": None,
    "OSMOSIS_LLM_MAX_RETRIES": "3",
    "OSMOSIS_LLM_RETRY_DELAY": "1.0",
    "OSMOSIS_LLM_TRACK_USAGE": "false",
    "OSMOSIS_LLM_MAX_SQL_CHARS": "4000",
    "OSMOSIS_LLM_REDACT_LITERALS": "false",
    "OSMOSIS_LLM_CONCURRENCY": "8",
    "OSMOSIS_LLM_PRICE_FILE": None,
    "OSMOSIS_LLM_MAX_DESCRIPTION_CHARS": "1000",
    "OSMOSIS_LLM_TEMPERATURE": None,
    "OSMOSIS_LLM_JSON_MODE": None,
    "OSMOSIS_LLM_CACHE_DIR": None,
    "OSMOSIS_LLM_STREAM": None,
    "OSMOSIS_LLM_CACHE": "true",
    "OSMOSIS_LLM_MAX_COST": None,
    "OSMOSIS_LLM_MAX_REQUESTS": None,
    "OSMOSIS_LLM_MARK_GENERATED": "false",
    "OSMOSIS_LLM_BREAKER_THRESHOLD": "5",
    "OSMOSIS_LLM_MAX_RETRY_WAIT": "60",
    "OSMOSIS_LLM_FALLBACK": None,
    "OSMOSIS_LLM_STYLE_GUIDE": None,
    "OSMOSIS_LLM_LANGUAGE": None,
    "OSMOSIS_LLM_FLEX_UNAVAILABLE": "standard",
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
#: OSMOSIS_LLM_TEMPERATURE values that mean "never send a temperature; use the model's default".
_OMIT_TEMPERATURE = {"default", "omit", "none"}


@dataclass(frozen=True)
class _Range:
    """The accepted values of one numeric setting; anything outside is a configuration error."""

    low: float
    high: float
    unit: str
    low_open: bool = False
    whole: bool = False

    def accepts(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high

    def describe(self) -> str:
        low = f"greater than {_num(self.low)}" if self.low_open else f"from {_num(self.low)}"
        kind = "a whole number" if self.whole else "a number"
        joiner = " and at most " if self.low_open else " to "
        return f"{kind} {low}{joiner}{_num(self.high)} ({self.unit})"


#: Field -> accepted range. Bounds are generous; they exist to catch typos and inf/nan, which would
#: otherwise crash deep inside the run (a nan timeout fails every request, an inf rate never waits).
_RANGES: Mapping[str, _Range] = {
    "timeout": _Range(0, 3600, "seconds", low_open=True),
    "connect_timeout": _Range(0, 600, "seconds", low_open=True),
    "rate_limit": _Range(0.01, 1_000_000, "requests per minute"),
    "tokens_per_minute": _Range(1, 1_000_000_000, "tokens per minute"),
    "max_retries": _Range(0, 100, "retries", whole=True),
    "retry_delay": _Range(0, 600, "seconds"),
    "max_sql_chars": _Range(0, 10_000_000, "characters", whole=True),
    "concurrency": _Range(1, 1000, "requests in flight", whole=True),
    "temperature": _Range(0, 2, "sampling temperature"),
    "max_description_chars": _Range(1, 1_000_000, "characters", whole=True),
    "max_cost": _Range(0, 1_000_000, "US dollars"),
    "max_requests": _Range(0, 1_000_000_000, "requests", whole=True),
    "breaker_threshold": _Range(0, 1_000_000, "failures in a row", whole=True),
    "max_retry_wait": _Range(0, 86_400, "seconds"),
}

#: The environment variable behind each field, to name it in errors.
_ENV_NAMES: Mapping[str, str] = {
    "timeout": "OSMOSIS_LLM_TIMEOUT",
    "connect_timeout": "OSMOSIS_LLM_CONNECT_TIMEOUT",
    "rate_limit": "OSMOSIS_LLM_RATE_LIMIT",
    "tokens_per_minute": "OSMOSIS_LLM_TOKENS_PER_MINUTE",
    "max_retries": "OSMOSIS_LLM_MAX_RETRIES",
    "retry_delay": "OSMOSIS_LLM_RETRY_DELAY",
    "max_sql_chars": "OSMOSIS_LLM_MAX_SQL_CHARS",
    "concurrency": "OSMOSIS_LLM_CONCURRENCY",
    "temperature": "OSMOSIS_LLM_TEMPERATURE",
    "json_mode": "OSMOSIS_LLM_JSON_MODE",
    "max_description_chars": "OSMOSIS_LLM_MAX_DESCRIPTION_CHARS",
    "max_cost": "OSMOSIS_LLM_MAX_COST",
    "max_requests": "OSMOSIS_LLM_MAX_REQUESTS",
    "breaker_threshold": "OSMOSIS_LLM_BREAKER_THRESHOLD",
    "max_retry_wait": "OSMOSIS_LLM_MAX_RETRY_WAIT",
}

#: The CLI flag that overrides each field, to name it in errors about a flag's value.
CLI_FLAGS: Mapping[str, str] = {
    "timeout": "--llm-timeout",
    "rate_limit": "--llm-rate-limit",
    "max_retries": "--llm-max-retries",
    "concurrency": "--llm-concurrency",
    "max_cost": "--llm-max-cost",
    "max_requests": "--llm-max-requests",
    "breaker_threshold": "--llm-breaker-threshold",
}


#: Service tiers a run may ask for (``None``: the provider's standard tier).
SERVICE_TIERS: tuple[str | None, ...] = (None, "flex")
#: What a flex request the provider has no capacity for becomes once its retries are spent: re-sent
#: at the standard tier (at the standard price), or failed.
FLEX_UNAVAILABLE: tuple[str, ...] = ("standard", "fail")


@dataclass(frozen=True)
class LLMSettings:
    """Validated run settings for the LLM layer; build with ``from_env``, refine with ``with_overrides``.

    Every number is checked against its accepted range when the object is built, so ``inf``, ``nan``
    and absurd values are an ``LLMConfigError`` naming the setting, never a crash mid-run.
    """

    timeout: float = 120.0
    connect_timeout: float = 10.0
    rate_limit: float = 60.0
    tokens_per_minute: float | None = None
    max_retries: int = 3
    retry_delay: float = 1.0
    track_usage: bool = False
    max_sql_chars: int = 4000
    redact_literals: bool = False
    concurrency: int = 8
    prompt_file: Path | None = None
    price_file: Path | None = None
    #: A longer description is rejected for quality (asked again, then never written).
    max_description_chars: int = 1000
    #: Sent instead of the caller's temperature when set (``OSMOSIS_LLM_TEMPERATURE``).
    temperature: float | None = None
    #: Never send a temperature (``OSMOSIS_LLM_TEMPERATURE=default``): the model uses its own.
    omit_temperature: bool = False
    #: How to ask for JSON to start with (``OSMOSIS_LLM_JSON_MODE``); ``None`` = the provider's best.
    json_mode: JsonMode | None = None
    #: Folder for files the LLM layer keeps between runs (learned model capabilities, the response
    #: cache). ``None``: the CLI uses ``<project target>/dbt-osmosis``; a library caller keeps them in
    #: memory only.
    cache_dir: Path | None = None
    #: Stream replies (``OSMOSIS_LLM_STREAM``); ``None``: where the provider streams structured output.
    stream: bool | None = None
    #: Serve answers already received from the response cache (in ``cache_dir``, or the CLI's default
    #: folder), and keep new ones there before applying them.
    use_cache: bool = True
    #: Budget for one run, in US dollars (``None``: no limit).
    max_cost: float | None = None
    #: Requests one run may send (``None``: no limit).
    max_requests: int | None = None
    #: Record in the YAML which provider and model wrote a text, with a hash of what it was written from.
    mark_generated: bool = False
    #: Outage-like failures in a row (5xx, timeouts, refused connections) after which a run stops
    #: asking the provider (``OSMOSIS_LLM_BREAKER_THRESHOLD``); 0 never stops.
    breaker_threshold: int = 5
    #: The longest ``retry-after`` a request waits for (``OSMOSIS_LLM_MAX_RETRY_WAIT``, seconds); a
    #: provider asking for more fails that request at once instead of holding the run.
    max_retry_wait: float = 60.0
    #: Providers to ask, in order, while the primary is down (``OSMOSIS_LLM_FALLBACK``): each entry
    #: is ``provider`` or ``provider:model``.
    fallback: tuple[str, ...] = ()
    #: A house style guide put into every request's system prompt (``None``: the project's
    #: ``dbt-styleguide.md``, if it has one).
    style_guide: Path | None = None
    #: The language descriptions are written in (``None``: the prompt file's, else English).
    language: str | None = None
    #: The provider's service tier (``--llm-service-tier``): ``None`` for standard, ``"flex"`` for the
    #: slower tier at batch prices (OpenAI, Gemini).
    service_tier: str | None = None
    #: A flex request refused for want of capacity after its retries (``--llm-flex-unavailable``,
    #: ``OSMOSIS_LLM_FLEX_UNAVAILABLE``): ``"standard"`` re-sends it at the standard tier and price,
    #: ``"fail"`` fails its node.
    flex_unavailable: str = "standard"

    def __post_init__(self) -> None:
        _validate(self, {name: _ENV_NAMES.get(name, name) for name in _RANGES})
        if self.service_tier not in SERVICE_TIERS:
            raise LLMConfigError(f"--llm-service-tier must be standard or flex, got {self.service_tier!r}.")
        if self.flex_unavailable not in FLEX_UNAVAILABLE:
            raise LLMConfigError(
                "OSMOSIS_LLM_FLEX_UNAVAILABLE (--llm-flex-unavailable) must be standard or fail, "
                f"got {self.flex_unavailable!r}."
            )
        if self.json_mode is not None and self.json_mode not in JSON_MODES:
            raise LLMConfigError(
                f"OSMOSIS_LLM_JSON_MODE must be one of {', '.join(JSON_MODES)}, got {self.json_mode!r}."
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LLMSettings:
        """Read every ``OSMOSIS_LLM_*`` variable; a malformed value raises ``LLMConfigError`` naming it."""
        source = os.environ if env is None else env

        def raw(name: str) -> str | None:
            value = source.get(name)
            return value.strip() if value is not None and value.strip() != "" else ENV_DEFAULTS[name]

        prompt_file = raw("OSMOSIS_LLM_PROMPT_FILE")
        price_file = raw("OSMOSIS_LLM_PRICE_FILE")
        cache_dir = raw("OSMOSIS_LLM_CACHE_DIR")
        tpm = raw("OSMOSIS_LLM_TOKENS_PER_MINUTE")
        max_cost = raw("OSMOSIS_LLM_MAX_COST")
        max_requests = raw("OSMOSIS_LLM_MAX_REQUESTS")
        temperature_raw = raw("OSMOSIS_LLM_TEMPERATURE")
        omit_temperature = (temperature_raw or "").lower() in _OMIT_TEMPERATURE
        temperature = (
            _number("OSMOSIS_LLM_TEMPERATURE", temperature_raw)
            if temperature_raw and not omit_temperature
            else None
        )
        json_mode = (raw("OSMOSIS_LLM_JSON_MODE") or "").lower() or None
        if json_mode is not None and json_mode not in JSON_MODES:
            raise LLMConfigError(
                f"OSMOSIS_LLM_JSON_MODE must be one of {', '.join(JSON_MODES)}, got {json_mode!r}."
            )
        stream = raw("OSMOSIS_LLM_STREAM")
        style_guide = raw("OSMOSIS_LLM_STYLE_GUIDE")
        values: dict[str, Any] = {
            "style_guide": Path(style_guide) if style_guide else None,
            "language": raw("OSMOSIS_LLM_LANGUAGE"),
            "timeout": _number("OSMOSIS_LLM_TIMEOUT", raw("OSMOSIS_LLM_TIMEOUT")),
            "connect_timeout": _number("OSMOSIS_LLM_CONNECT_TIMEOUT", raw("OSMOSIS_LLM_CONNECT_TIMEOUT")),
            "rate_limit": _number("OSMOSIS_LLM_RATE_LIMIT", raw("OSMOSIS_LLM_RATE_LIMIT")),
            "tokens_per_minute": _number("OSMOSIS_LLM_TOKENS_PER_MINUTE", tpm) if tpm else None,
            "max_retries": _whole("OSMOSIS_LLM_MAX_RETRIES", raw("OSMOSIS_LLM_MAX_RETRIES")),
            "retry_delay": _number("OSMOSIS_LLM_RETRY_DELAY", raw("OSMOSIS_LLM_RETRY_DELAY")),
            "track_usage": _boolean("OSMOSIS_LLM_TRACK_USAGE", raw("OSMOSIS_LLM_TRACK_USAGE")),
            "max_sql_chars": _whole("OSMOSIS_LLM_MAX_SQL_CHARS", raw("OSMOSIS_LLM_MAX_SQL_CHARS")),
            "redact_literals": _boolean("OSMOSIS_LLM_REDACT_LITERALS", raw("OSMOSIS_LLM_REDACT_LITERALS")),
            "concurrency": _whole("OSMOSIS_LLM_CONCURRENCY", raw("OSMOSIS_LLM_CONCURRENCY")),
            "prompt_file": Path(prompt_file) if prompt_file else None,
            "price_file": Path(price_file) if price_file else None,
            "temperature": temperature,
            "omit_temperature": omit_temperature,
            "json_mode": json_mode,
            "cache_dir": Path(cache_dir) if cache_dir else None,
            "stream": _boolean("OSMOSIS_LLM_STREAM", stream) if stream else None,
            "use_cache": _boolean("OSMOSIS_LLM_CACHE", raw("OSMOSIS_LLM_CACHE")),
            "max_cost": _number("OSMOSIS_LLM_MAX_COST", max_cost) if max_cost else None,
            "max_requests": _whole("OSMOSIS_LLM_MAX_REQUESTS", max_requests) if max_requests else None,
            "mark_generated": _boolean("OSMOSIS_LLM_MARK_GENERATED", raw("OSMOSIS_LLM_MARK_GENERATED")),
            "max_description_chars": _whole(
                "OSMOSIS_LLM_MAX_DESCRIPTION_CHARS", raw("OSMOSIS_LLM_MAX_DESCRIPTION_CHARS")
            ),
            "breaker_threshold": _whole(
                "OSMOSIS_LLM_BREAKER_THRESHOLD", raw("OSMOSIS_LLM_BREAKER_THRESHOLD")
            ),
            "max_retry_wait": _number("OSMOSIS_LLM_MAX_RETRY_WAIT", raw("OSMOSIS_LLM_MAX_RETRY_WAIT")),
            "flex_unavailable": (raw("OSMOSIS_LLM_FLEX_UNAVAILABLE") or "standard").lower(),
            "fallback": tuple(
                item.strip() for item in (raw("OSMOSIS_LLM_FALLBACK") or "").split(",") if item.strip()
            ),
        }
        _validate_values(values, _ENV_NAMES)
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> LLMSettings:
        """Return a copy where every override that is not ``None`` wins (CLI flags use this).

        An out-of-range override raises ``LLMConfigError`` naming its CLI flag (``--llm-rate-limit``).
        """
        given = {key: value for key, value in overrides.items() if value is not None}
        unknown = set(given) - {field.name for field in dataclasses.fields(self)}
        if unknown:
            raise LLMConfigError(f"Unknown LLM setting(s): {', '.join(sorted(unknown))}")
        _validate_values(given, {name: CLI_FLAGS.get(name, name) for name in given})
        return dataclasses.replace(self, **given)

    def notices(self) -> list[str]:
        """Things worth telling the user before a run starts (e.g. how long a slow rate limit waits)."""
        out: list[str] = []
        if self.rate_limit < 1:
            gap = 60.0 / self.rate_limit
            out.append(
                f"The LLM rate limit is {_num(self.rate_limit)} request(s) per minute: requests will be "
                f"{_duration(gap)} apart (set OSMOSIS_LLM_RATE_LIMIT or --llm-rate-limit to change it)."
            )
        return out


def _validate(settings: LLMSettings, labels: Mapping[str, str]) -> None:
    _validate_values({name: getattr(settings, name) for name in _RANGES}, labels)


def _validate_values(values: Mapping[str, Any], labels: Mapping[str, str]) -> None:
    """Check each numeric value against its range; the error names the setting as ``labels`` says."""
    for name, value in values.items():
        bounds = _RANGES.get(name)
        if bounds is None or value is None:
            continue
        label = labels.get(name, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LLMConfigError(f"{label} must be {bounds.describe()}, got {value!r}.")
        if not bounds.accepts(float(value)) or (bounds.whole and float(value) != int(value)):
            raise LLMConfigError(f"{label} must be {bounds.describe()}, got {_shown(value)}.")


def _shown(value: float) -> str:
    return repr(value) if isinstance(value, str) else _num(value)


def _num(value: float) -> str:
    if math.isfinite(value) and float(value).is_integer():
        return f"{int(value):,}".replace(",", "")
    return f"{value:g}"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def _number(name: str, value: str | None) -> float:
    try:
        number = float(value or "")
    except ValueError:
        raise LLMConfigError(
            f"{name} must be {_RANGES[_FIELD_OF[name]].describe()}, got {value!r}."
        ) from None
    return number


def _whole(name: str, value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise LLMConfigError(
            f"{name} must be {_RANGES[_FIELD_OF[name]].describe()}, got {value!r}."
        ) from None


_FIELD_OF: Mapping[str, str] = {env: name for name, env in _ENV_NAMES.items()}


def _boolean(name: str, value: str | None) -> bool:
    lowered = (value or "").lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise LLMConfigError(f"{name} must be true or false, got {value!r}.")
