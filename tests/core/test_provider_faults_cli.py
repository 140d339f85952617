"""`--synthesize` against providers that fail as real ones do: mid-stream faults, outages, long waits.

Every provider (through its real SDK) x every stream fault completes a small project with every gap
filled at the cost of one request per injected fault; a provider down for the whole run is given up
on after a few requests (exit 3, the nodes not asked listed, its answer said once); a 429 asking for
an hour fails that request and lets the others go on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.fake_provider import (
    Cut,
    ErrorEvent,
    Fail,
    FakeProviderServer,
    OneBody,
    Reply,
    Reset,
    Stall,
    Step,
)
from tests.support.cli import RunCli
from tests.support.yaml_checks import all_descriptions

PROVIDERS = ["openai", "azure-openai", "anthropic", "google-gemini"]
FAULTS: dict[str, Step | None] = {
    "clean": None,
    "cut": Cut(after_chunks=2),
    "error-event": ErrorEvent(),
    "stall": Stall(after_chunks=1, seconds=60),
    "one-body": OneBody(),
}
# Synthesis that retries at once: no client-side rate limit to speak of, no back-off.
RUN = ("--synthesize", "--llm-rate-limit", "100000", "--llm-max-retries", "2")


@pytest.fixture
def provider_env(monkeypatch: pytest.MonkeyPatch, fake_provider_env: dict[str, str]) -> None:
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OSMOSIS_LLM_RETRY_DELAY", "0")


def _yaml(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*.yml"))
        if "target" not in p.parts
    }


def _every_gap_filled(project: Path) -> None:
    docs = all_descriptions(project)
    assert all(text and text != "Pending further documentation" for text in docs.values()), docs


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_provider_and_stream_fault_fills_every_gap(
    provider: str,
    fault: str,
    chain: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    provider_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", provider)
    step = FAULTS[fault]
    if step is not None:
        fake_provider.script(step)
    # A stall runs into the read timeout; everything else is answered long before it.
    timeout = "2" if fault == "stall" else "30"
    result = run_cli(chain, *RUN, "--llm-timeout", timeout)
    assert result.exit_code == 0, result.output
    _every_gap_filled(chain)
    assert "bug" not in result.output.lower()
    asked = {request.prompt_text for request in fake_provider.requests}
    # One request per question asked, plus the one the fault cost (a one-body reply costs none).
    faults = 1 if fault in ("cut", "error-event", "stall") else 0
    assert len(fake_provider.requests) <= len(asked) + faults, [r.path for r in fake_provider.requests]


@pytest.mark.parametrize(
    "outage", ["500", "overloaded", "refused", "reset"], ids=["http-500", "529", "refused", "reset"]
)
def test_a_provider_down_for_the_whole_run_is_given_up_on(
    outage: str,
    chain: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    provider_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "anthropic" if outage == "overloaded" else "openai")
    if outage == "refused":
        fake_provider.down(refuse=True)
    elif outage == "reset":
        fake_provider.down(step=Reset())
    else:
        fake_provider.down(529 if outage == "overloaded" else 500)
    threshold, concurrency = 2, 1
    result = run_cli(
        chain,
        *RUN,
        "--llm-max-retries",
        "5",
        "--llm-breaker-threshold",
        str(threshold),
        "--llm-concurrency",
        str(concurrency),
    )
    fake_provider.up()
    assert result.exit_code == 3, result.output
    if outage != "refused":
        assert 0 < len(fake_provider.requests) <= threshold + concurrency
    output = result.output
    assert output.count("synthesis stopped:") == 1
    assert "is down: 2 requests in a row failed" in output
    assert "not asked:" in output and "provider down" in output
    assert "bug" not in output.lower()
    # The provider's answer is said once, on the stop line, not also on the line of the node whose
    # request opened the breaker.
    if outage == "500":
        assert output.count("HTTP 500") == 1, output
    if outage == "overloaded":
        assert output.count("HTTP 529") == 1, output
    if outage == "refused":
        assert output.count("could not connect") == 1, output
    assert "failed:" not in output
    assert "attempts=" not in output
    # Nothing was answered, so no description was written by the model.
    assert not any(b"Fake description" in text for text in _yaml(chain).values())


def test_a_long_retry_after_fails_that_request_and_the_others_go_on(
    chain: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    provider_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    fake_provider.script(Fail(429, retry_after=3600))
    result = run_cli(chain, *RUN, "--llm-concurrency", "1")
    # The node asked first failed at once; the others were asked without waiting for the hour.
    assert result.exit_code == 3, result.output
    assert "3600" in result.output and "OSMOSIS_LLM_MAX_RETRY_WAIT" in result.output
    assert len(fake_provider.requests) >= 2
    assert fake_provider.requests[0].prompt_text != fake_provider.requests[1].prompt_text


def test_the_fallback_fills_everything_while_the_primary_is_down(
    chain: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    provider_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    monkeypatch.setenv("OSMOSIS_LLM_FALLBACK", "anthropic:claude-haiku-4-5")
    # OpenAI answers 500 to everything; Anthropic, on the same fake server, answers.
    fake_provider.responder = lambda record: Fail(500) if record.wire == "openai" else Reply()
    result = run_cli(
        chain,
        *RUN,
        "--llm-breaker-threshold",
        "2",
        "--llm-concurrency",
        "1",
        "--llm-mark-generated",
        "--llm-stats",
    )
    assert result.exit_code == 0, result.output
    _every_gap_filled(chain)
    wires = [request.wire for request in fake_provider.requests]
    assert 0 < wires.count("openai") <= 2 + 1
    assert wires.count("anthropic") >= 1
    # Each written text names the provider and model that wrote it.
    marks = b"".join(_yaml(chain).values())
    assert b"provider: anthropic" in marks and b"model: claude-haiku-4-5" in marks
    assert b"provider: openai" not in marks
    # --llm-stats shows each provider on its own.
    assert "claude-haiku-4-5" in result.output and "openai / gpt-4.1-mini" in result.output


@pytest.mark.parametrize("concurrency", [1, 2])
def test_a_provider_flapping_between_500_and_reset_is_given_up_on_and_costs_nothing(
    concurrency: int,
    chain: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    provider_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_MODEL", "gpt-4.1-mini")
    # Down, but never twice the same way in a row: 500, reset (before any status line), 500, ...
    flaps = iter(range(10_000))
    fake_provider.responder = lambda record: Fail(500) if next(flaps) % 2 == 0 else Reset()
    # The defaults: 3 retries per request, a breaker that opens after 5 outage-like failures.
    result = run_cli(
        chain,
        "--synthesize",
        "--llm-rate-limit",
        "100000",
        "--llm-concurrency",
        str(concurrency),
        "--llm-max-cost",
        "5",
    )
    assert result.exit_code == 3, result.output
    assert 0 < len(fake_provider.requests) <= 5 + concurrency, len(fake_provider.requests)
    assert "is down: 5 requests in a row failed (server error, connection)" in result.output
    # A 500 and a reset before the status line generated nothing billable: nothing is charged.
    assert "$0.0000" in result.output and "$0.0" + "1" not in result.output, result.output
