"""What `yaml document --synthesize` prints, checked against what the fake provider saw and reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console

from dbt_osmosis.cli.usage_table import usage_table
from dbt_osmosis.core.llm.types import Usage
from dbt_osmosis.core.llm.usage import LLMUsageStats, PriceTable
from tests.fakes.fake_provider import Fail, FakeProviderServer, RecordedRequest, Reply
from tests.support.cli import RunCli
from tests.support.projects import copy_project, snapshot

FAST = ("--synthesize", "--llm-rate-limit", "100000", "--llm-max-retries", "0")
NODE_LINE = re.compile(r"^\[(\d+)/(\d+)\] (\S+): (.*)$")


@pytest.fixture
def llm_env(llm_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The shared fake-provider environment, with retries that wait next to nothing.
    monkeypatch.setenv("OSMOSIS_LLM_RETRY_DELAY", "0.01")


def node_lines(output: str) -> list[tuple[int, int, str, str]]:
    found = []
    for line in output.splitlines():
        match = NODE_LINE.match(line)
        if match:
            found.append((int(match[1]), int(match[2]), match[3], match[4]))
    return found


def node_of(request: RecordedRequest, names: list[str]) -> str:
    (name,) = [name for name in names if f"`{name}`" in request.prompt_text]
    return name


def test_plain_output_is_one_line_per_node_with_its_own_requests_tokens_and_cost(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    # Each node gets answers with its own, distinct token counts, and int_customers needs one retry.
    names = ["raw_customers", "stg_customers", "int_customers", "customers"]
    tokens = {name: (1000 * (index + 1), 10 * (index + 1)) for index, name in enumerate(names)}

    def answer(request: RecordedRequest) -> Reply:
        prompt, completion = tokens[node_of(request, names)]
        return Reply(prompt_tokens=prompt, completion_tokens=completion)

    fake_provider.responder = answer
    fake_provider.script_for("`int_customers`", Fail(500))
    result = run_cli(chain, *FAST[:-1], "1")
    assert result.exit_code == 0, result.output

    lines = node_lines(result.output)
    total = lines[0][1]
    assert [line[0] for line in lines] == list(range(1, total + 1))  # every node counted, from 1
    assert len({line[2] for line in lines}) == total
    per_node: dict[str, list[RecordedRequest]] = {}
    for request in fake_provider.requests:
        per_node.setdefault(node_of(request, names), []).append(request)
    prices = PriceTable.load()
    for _, _, name, text in lines:
        sent = per_node.get(name, [])
        if not sent:
            assert text == "nothing to ask", text
            continue
        answered = 1  # every node's request was answered in the end
        prompt, completion = tokens[name]
        cost = prices.estimate_cost("openai", "gpt-4.1-mini", prompt * answered, completion * answered)
        assert cost is not None
        retries = len(sent) - answered
        requests = f"{len(sent)} request{'s' if len(sent) > 1 else ''}"
        if retries:
            requests += f" ({retries} retry)"
        assert text.endswith(f"; {requests}, {prompt + completion:,} tokens, ${cost:.4f}"), text
    assert set(per_node) <= {line[2] for line in lines}
    assert len(per_node["int_customers"]) == 2

    # The final summary and --llm-stats count the same requests the server received.
    served = len(fake_provider.requests)
    summary = next(line for line in result.output.splitlines() if line.startswith("Synthesized"))
    assert f"with {served} requests (1 retry)" in summary


def test_summary_and_stats_table_agree_with_the_server(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Fail(503), Fail(503))
    result = run_cli(chain, *FAST[:-1], "2", "--llm-stats")
    assert result.exit_code == 0, result.output
    served = fake_provider.usage_totals()
    usage_line = next(line for line in result.output.splitlines() if line.startswith("LLM usage:"))
    assert f"LLM usage: {served['requests']} request(s) sent (2 retry(ies)), 0 error(s)" in usage_line
    summary = next(line for line in result.output.splitlines() if line.startswith("Synthesized"))
    assert f"with {served['requests']} requests (2 retries), " in summary
    tokens = served["prompt_tokens"] + served["completion_tokens"]
    assert f"{tokens:,} tokens" in summary
    requests_row = next(line for line in result.output.splitlines() if line.strip().startswith("Requests"))
    assert requests_row.split()[-1] == str(served["requests"])


def _stats() -> LLMUsageStats:
    stats = LLMUsageStats(price_table=PriceTable.load())
    for _ in range(12):
        stats.record("openai", "gpt-4.1-mini", Usage(prompt_tokens=123_456, completion_tokens=7_890), 1.25)
    stats.record_retry("openai", "gpt-4.1-mini")
    stats.record_error("openai", "gpt-4.1-mini")
    return stats


def _render(stats: LLMUsageStats, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None)
    console.print(usage_table(stats, console))
    return console.export_text().splitlines()


def test_stats_table_is_readable_at_80_columns() -> None:
    stats = _stats()
    stats.record("anthropic", "claude-haiku-4-5", Usage(prompt_tokens=1_000, completion_tokens=100), 0.5)
    lines = _render(stats, 80)
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    assert "…" not in text  # nothing truncated
    rows = {line.split()[0]: line.split() for line in lines if line.strip()}
    assert rows["Requests"][1:] == ["1", "14", "15"]  # per model (sorted), then the total
    assert rows["retries"][1:] == ["0", "1", "1"]
    assert rows["errors"][1:] == ["0", "1", "1"]
    assert "1,481,472" in rows["Prompt"]  # 12 x 123,456, whole
    assert "gpt-4.1-mini" in text and "claude-haiku-4-5" in text


def test_stats_table_is_one_row_per_model_at_160_columns() -> None:
    lines = _render(_stats(), 160)
    assert max(len(line) for line in lines) <= 160
    header = next(line for line in lines if "Provider" in line)
    assert all(word in header for word in ("Model", "Requests", "Retries", "Errors", "Cost (USD)"))
    row = next(line for line in lines if "gpt-4.1-mini" in line)
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    assert cells[:5] == ["openai", "gpt-4.1-mini", "14", "1", "1"]
    # Prompt, cached, cache writes, completion.
    assert cells[5] == "1,481,472" and cells[7] == "0" and cells[8] == "94,680"


def test_dry_run_estimates_each_node_sends_nothing_and_is_close_to_the_real_run(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer, tmp_path: Path
) -> None:
    real_copy = copy_project(chain, tmp_path / "real")
    before = snapshot(chain)
    dry = run_cli(chain, "--synthesize", "--llm-dry-run")
    assert dry.exit_code == 0, dry.output
    assert fake_provider.requests == []
    assert snapshot(chain) == before
    asking = [line for line in node_lines(dry.output) if line[3] != "nothing to ask"]
    assert asking
    for _, _, _, text in asking:
        assert re.fullmatch(r"would ask for .+; ~1 request, ~[\d,]+ tokens, ~\$\d+\.\d{4}", text), text
    assert "synthesized" not in dry.output
    changes = [line for line in dry.output.splitlines() if line.startswith("  ") and "would ask for" in line]
    assert changes
    estimate = next(line for line in dry.output.splitlines() if line.startswith("Estimate for"))
    estimated = int(re.search(r"~([\d,]+) tokens", estimate)[1].replace(",", ""))  # type: ignore[index]
    estimated_requests = int(re.search(r"~(\d+) request", estimate)[1])  # type: ignore[index]

    real = run_cli(real_copy, *FAST)
    assert real.exit_code == 0, real.output
    served = fake_provider.usage_totals()
    assert estimated_requests == served["requests"]
    reported = served["prompt_tokens"] + served["completion_tokens"]
    assert abs(estimated - reported) <= 0.25 * reported, (estimated, reported)


def test_show_prompts_prints_exactly_what_the_server_then_receives(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer, tmp_path: Path
) -> None:
    real_copy = copy_project(chain, tmp_path / "real")
    shown = run_cli(chain, "stg_customers", "--llm-show-prompts")
    assert shown.exit_code == 0, shown.output
    assert fake_provider.requests == []
    blocks = re.split(r"^===== (.+) =====\n", shown.output, flags=re.M)
    printed = {blocks[i]: blocks[i + 1] for i in range(1, len(blocks) - 1, 2)}
    system = printed["stg_customers: system prompt (request 1 of 1)"]
    user = printed["stg_customers: user prompt (request 1 of 1)"]

    real = run_cli(real_copy, "stg_customers", *FAST)
    assert real.exit_code == 0, real.output
    (request,) = fake_provider.requests
    sent = {message["role"]: message["content"] for message in request.body["messages"]}
    assert system == sent["system"] + "\n"
    assert user == sent["user"] + "\n"


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_is_one_line_and_never_a_traceback(
    chain: Path, fake_provider: FakeProviderServer, presses: int
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.fakes.fake_provider import FAKE_API_KEY, Hang

    fake_provider.responder = lambda request: Hang(60)  # every request hangs until Ctrl-C
    env = {
        **os.environ,
        "LLM_PROVIDER": "openai",
        "OPENAI_API_KEY": FAKE_API_KEY,
        "OPENAI_BASE_URL": f"{fake_provider.base_url}/v1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "dbt_osmosis.cli.main", "yaml", "document", "--project-dir", str(chain),
         "--profiles-dir", str(chain), "--synthesize", "--llm-rate-limit", "100000"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not fake_provider.requests:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        assert time.monotonic() < deadline, "nothing was ever asked"
        time.sleep(0.05)
    for _ in range(presses):
        process.send_signal(signal.SIGINT)
        time.sleep(0.01)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    assert "Traceback" not in output and "Error" not in output, output
    final = [line for line in output.splitlines() if line.startswith("Interrupted")]
    assert final == ["Interrupted: wrote 4 file(s) with every node finished so far."], output
    others = [
        line
        for line in output.splitlines()
        if not line.startswith(("Interrupted", "Stopping:")) and not NODE_LINE.match(line)
    ]
    assert others == [], output


def test_a_failed_node_line_says_failed_with_its_own_requests(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.script_for("`int_customers`", Fail(400))
    result = run_cli(chain, *FAST)
    assert result.exit_code == 3, result.output
    (line,) = [text for _, _, name, text in node_lines(result.output) if name == "int_customers"]
    assert line.startswith("failed: ") and line.endswith("; 1 request (1 failed), 0 tokens, $0.0000"), line


def test_a_huge_description_is_quoted_cut_in_prompts(chain: Path, run_cli: RunCli, llm_env: None) -> None:
    # A specification pasted into a parent's description must not make each prompt that quotes it
    # cost tens of thousands of tokens (or exceed the model's context).
    seeds = chain / "seeds/_seeds.yml"
    huge = "The CRM export, described at length. " * 5000  # 185,000 characters
    seeds.write_text(
        seeds.read_text().replace(
            "description: Customers as exported from the CRM.", f"description: {huge.strip()}"
        )
    )
    shown = run_cli(chain, "stg_customers", "--llm-show-prompts")
    assert shown.exit_code == 0, shown.output
    user = shown.output.split("stg_customers: user prompt (request 1 of 1) =====\n")[1]
    assert "[... cut here: 184,999 characters in all]" in user
    assert len(user) < 12_000
