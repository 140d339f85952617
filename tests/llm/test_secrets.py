"""No API key in any log line, exception message, repr or recorded artefact, whatever goes wrong."""

from __future__ import annotations

import asyncio
import logging
import os

import pytest
from tests.fakes.fake_provider import FAKE_API_KEY, Fail, FakeProviderServer, Hang, NotJSON, Reply, Reset

import dbt_osmosis.core.llm as llm
from dbt_osmosis.core.llm.factory import create_client
from dbt_osmosis.core.llm.logging import LOGGER_NAME, RedactingFilter, get_logger
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, Message

SETTINGS = LLMSettings(timeout=0.5, connect_timeout=0.5)
FAMILIES = ["openai", "azure-openai", "anthropic", "google-gemini", "ollama"]
# Non-key-shaped secret: only the verbatim registration can catch it.
ODD_KEY = "plainwordsecret"


def _leaks(text: str) -> bool:
    return FAKE_API_KEY in text or "SECRET-abcdef" in text or ODD_KEY in text


@pytest.mark.parametrize("provider", FAMILIES)
def test_key_absent_from_logs_errors_and_reprs(
    provider: str,
    fake_provider_env: dict[str, str],
    fake_provider: FakeProviderServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    env = {**fake_provider_env, "OLLAMA_API_KEY": FAKE_API_KEY}
    client = create_client(get_provider_config(provider), SETTINGS, env)
    texts = [repr(client), repr(get_provider_config(provider))]
    fake_provider.script(
        Reply(text="ok"), Fail(401), Fail(429, retry_after=1), Fail(500), Hang(30), Reset(), NotJSON()
    )
    for index in range(7):
        try:
            if index % 2:
                asyncio.run(client.acomplete(LLMRequest(messages=(Message("user", "hi"),))))
            else:
                response = client.complete(LLMRequest(messages=(Message("user", "hi"),)))
                texts += [repr(response), str(response.headers)]
        except llm.LLMError as err:
            texts += [str(err), repr(err), str(err.__cause__ or ""), err.message]
    texts += [record.getMessage() for record in caplog.records]
    texts += [caplog.text]
    assert any("llm request" in t for t in texts) and any("llm response" in t for t in texts)
    assert not [t for t in texts if _leaks(t)]


def test_redacting_filter_masks_keys_in_any_llm_log_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    logger = get_logger()
    logger.debug("calling with key %s", FAKE_API_KEY)
    logger.warning("Authorization: Bearer %s", "abcdefghijklmnopqrstuvwxyz0123")
    try:
        raise RuntimeError(f"boom api_key={FAKE_API_KEY}")
    except RuntimeError:
        logger.exception("failed")
    assert FAKE_API_KEY not in caplog.text
    assert "abcdefghijklmnopqrstuvwxyz0123" not in caplog.text
    assert "***" in caplog.text


def test_registered_secret_is_masked_even_when_not_key_shaped() -> None:
    record = logging.LogRecord(LOGGER_NAME, logging.DEBUG, __file__, 1, "value=%s", (ODD_KEY,), None)
    RedactingFilter(ODD_KEY).filter(record)
    assert ODD_KEY not in record.getMessage()


def test_adapter_registers_its_key_with_the_log_filter(
    fake_provider_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    create_client(
        get_provider_config("lm-studio"), SETTINGS, {**fake_provider_env, "LM_STUDIO_API_KEY": ODD_KEY}
    )
    get_logger().debug("leaking %s by accident", ODD_KEY)
    assert ODD_KEY not in caplog.text


def test_facade_errors_do_not_leak_the_key(
    monkeypatch: pytest.MonkeyPatch, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    for name in list(os.environ):
        if name.startswith(("LLM_PROVIDER", "OPENAI_", "OSMOSIS_LLM_")):
            monkeypatch.delenv(name)
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OSMOSIS_LLM_MAX_RETRIES", "0")
    fake_provider.script(
        Fail(401, body={"error": {"message": f"Incorrect API key provided: {FAKE_API_KEY}"}})
    )
    with pytest.raises(llm.LLMAuthError) as info:
        llm.generate_column_doc("id")
    assert not _leaks(str(info.value)) and not _leaks(repr(info.value))


def test_configuration_errors_do_not_echo_values() -> None:
    with pytest.raises(llm.LLMConfigError) as info:
        create_client(None, SETTINGS, {"LLM_PROVIDER": f"openai-{FAKE_API_KEY}"})
    assert not _leaks(str(info.value))
