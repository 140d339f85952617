"""The run-wide knobs of the LLM layer, read once at the edge: CLI flag > ``OSMOSIS_LLM_*`` > default.

Provider variables (keys, models, base URLs) belong to ``providers.py``; this module owns only the
``OSMOSIS_LLM_*`` family so that every one of them is parsed, validated and documented in one place.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbt_osmosis.core.llm.exceptions import LLMConfigError

__all__ = ["ENV_DEFAULTS", "LLMSettings"]

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
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class LLMSettings:
    """Validated run settings for the LLM layer; build with ``from_env``, refine with ``with_overrides``."""

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
    #: Longer model descriptions are cut at the last sentence boundary that fits.
    max_description_chars: int = 1000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LLMSettings:
        """Read every ``OSMOSIS_LLM_*`` variable; a malformed value raises ``LLMConfigError`` naming it."""
        source = os.environ if env is None else env

        def raw(name: str) -> str | None:
            value = source.get(name)
            return value.strip() if value is not None and value.strip() != "" else ENV_DEFAULTS[name]

        prompt_file = raw("OSMOSIS_LLM_PROMPT_FILE")
        price_file = raw("OSMOSIS_LLM_PRICE_FILE")
        tpm = raw("OSMOSIS_LLM_TOKENS_PER_MINUTE")
        return cls(
            timeout=_positive_float("OSMOSIS_LLM_TIMEOUT", raw("OSMOSIS_LLM_TIMEOUT")),
            connect_timeout=_positive_float(
                "OSMOSIS_LLM_CONNECT_TIMEOUT", raw("OSMOSIS_LLM_CONNECT_TIMEOUT")
            ),
            rate_limit=_positive_float("OSMOSIS_LLM_RATE_LIMIT", raw("OSMOSIS_LLM_RATE_LIMIT")),
            tokens_per_minute=_positive_float("OSMOSIS_LLM_TOKENS_PER_MINUTE", tpm) if tpm else None,
            max_retries=_non_negative_int("OSMOSIS_LLM_MAX_RETRIES", raw("OSMOSIS_LLM_MAX_RETRIES")),
            retry_delay=_non_negative_float("OSMOSIS_LLM_RETRY_DELAY", raw("OSMOSIS_LLM_RETRY_DELAY")),
            track_usage=_boolean("OSMOSIS_LLM_TRACK_USAGE", raw("OSMOSIS_LLM_TRACK_USAGE")),
            max_sql_chars=_non_negative_int("OSMOSIS_LLM_MAX_SQL_CHARS", raw("OSMOSIS_LLM_MAX_SQL_CHARS")),
            redact_literals=_boolean("OSMOSIS_LLM_REDACT_LITERALS", raw("OSMOSIS_LLM_REDACT_LITERALS")),
            concurrency=max(1, _non_negative_int("OSMOSIS_LLM_CONCURRENCY", raw("OSMOSIS_LLM_CONCURRENCY"))),
            prompt_file=Path(prompt_file) if prompt_file else None,
            price_file=Path(price_file) if price_file else None,
            max_description_chars=_positive_int(
                "OSMOSIS_LLM_MAX_DESCRIPTION_CHARS", raw("OSMOSIS_LLM_MAX_DESCRIPTION_CHARS")
            ),
        )

    def with_overrides(self, **overrides: Any) -> LLMSettings:
        """Return a copy where every override that is not ``None`` wins (CLI flags use this)."""
        given = {key: value for key, value in overrides.items() if value is not None}
        unknown = set(given) - {field.name for field in dataclasses.fields(self)}
        if unknown:
            raise LLMConfigError(f"Unknown LLM setting(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **given)


def _positive_float(name: str, value: str | None) -> float:
    number = _float(name, value)
    if number <= 0:
        raise LLMConfigError(f"{name} must be greater than 0, got {value!r}.")
    return number


def _non_negative_float(name: str, value: str | None) -> float:
    number = _float(name, value)
    if number < 0:
        raise LLMConfigError(f"{name} must be 0 or more, got {value!r}.")
    return number


def _float(name: str, value: str | None) -> float:
    try:
        return float(value or "")
    except ValueError:
        raise LLMConfigError(f"{name} must be a number, got {value!r}.") from None


def _non_negative_int(name: str, value: str | None) -> int:
    try:
        number = int(value or "")
    except ValueError:
        raise LLMConfigError(f"{name} must be a whole number, got {value!r}.") from None
    if number < 0:
        raise LLMConfigError(f"{name} must be 0 or more, got {value!r}.")
    return number


def _positive_int(name: str, value: str | None) -> int:
    number = _non_negative_int(name, value)
    if number == 0:
        raise LLMConfigError(f"{name} must be greater than 0, got {value!r}.")
    return number


def _boolean(name: str, value: str | None) -> bool:
    lowered = (value or "").lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise LLMConfigError(f"{name} must be true or false, got {value!r}.")
