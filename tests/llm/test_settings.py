"""Settings are checked at the edge: every bad number or URL is one configuration error naming it."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.settings import ENV_DEFAULTS, LLMSettings

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OSMOSIS_LLM_RATE_LIMIT", "nan"),
        ("OSMOSIS_LLM_RATE_LIMIT", "inf"),
        ("OSMOSIS_LLM_RATE_LIMIT", "0"),
        ("OSMOSIS_LLM_RATE_LIMIT", "0.001"),
        ("OSMOSIS_LLM_TIMEOUT", "nan"),
        ("OSMOSIS_LLM_TIMEOUT", "-1"),
        ("OSMOSIS_LLM_TIMEOUT", "604800"),
        ("OSMOSIS_LLM_CONNECT_TIMEOUT", "inf"),
        ("OSMOSIS_LLM_TOKENS_PER_MINUTE", "nan"),
        ("OSMOSIS_LLM_MAX_RETRIES", "-1"),
        ("OSMOSIS_LLM_MAX_RETRIES", "1e9"),
        ("OSMOSIS_LLM_RETRY_DELAY", "inf"),
        ("OSMOSIS_LLM_CONCURRENCY", "-2"),
        ("OSMOSIS_LLM_CONCURRENCY", "0"),
        ("OSMOSIS_LLM_TEMPERATURE", "nan"),
        ("OSMOSIS_LLM_TEMPERATURE", "3"),
        ("OSMOSIS_LLM_JSON_MODE", "xml"),
    ],
)
def test_bad_values_name_the_variable_and_the_accepted_range(name: str, value: str) -> None:
    with pytest.raises(LLMConfigError) as info:
        LLMSettings.from_env({name: value})
    message = str(info.value)
    assert message.startswith(name) and "\n" not in message
    assert re.search(r"must be (a number|a whole number|one of|true or false)", message)


def test_flags_are_named_when_their_value_is_bad() -> None:
    with pytest.raises(LLMConfigError, match=r"^--llm-rate-limit must be .*got inf"):
        LLMSettings().with_overrides(rate_limit=math.inf)
    with pytest.raises(LLMConfigError, match=r"^--llm-timeout must be .*got nan"):
        LLMSettings().with_overrides(timeout=math.nan)
    with pytest.raises(LLMConfigError, match=r"^OSMOSIS_LLM_RATE_LIMIT must be"):
        LLMSettings(rate_limit=math.nan)


def test_good_values_are_read() -> None:
    settings = LLMSettings.from_env(
        {
            "OSMOSIS_LLM_RATE_LIMIT": "0.5",
            "OSMOSIS_LLM_TEMPERATURE": "0",
            "OSMOSIS_LLM_JSON_MODE": "Object",
            "OSMOSIS_LLM_CACHE_DIR": "/tmp/osmosis-cache",
        }
    )
    assert (settings.rate_limit, settings.temperature, settings.json_mode) == (0.5, 0.0, "object")
    assert settings.cache_dir == Path("/tmp/osmosis-cache")
    assert LLMSettings.from_env({"OSMOSIS_LLM_TEMPERATURE": "default"}).omit_temperature
    assert LLMSettings.from_env({}).notices() == []
    (notice,) = settings.notices()
    assert "2 minutes apart" in notice


@pytest.mark.parametrize("url", ["localhost:11434/v1", "api.example.com", "ftp://host/v1", "https://"])
def test_a_base_url_without_a_scheme_is_a_configuration_error(url: str) -> None:
    with pytest.raises(LLMConfigError, match=r"^OLLAMA_BASE_URL must be an absolute URL"):
        get_provider_config("ollama").resolve({"OLLAMA_BASE_URL": url})


def test_readme_documents_every_variable() -> None:
    text = README.read_text("utf-8")
    missing = [name for name in ENV_DEFAULTS if f"`{name}`" not in text]
    assert missing == []
