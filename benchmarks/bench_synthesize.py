"""Time `yaml document --synthesize` against the fake provider server.

For each case: generate an N-model project, start the fake server with latency L (and optionally a
server-side requests-per-minute limit), run the CLI in a subprocess, and compare the synthesis wall
time with the lower bound max(requests x L / concurrency, requests / RPM x 60 s).

    .venv/bin/python benchmarks/bench_synthesize.py              # every case below
    .venv/bin/python benchmarks/bench_synthesize.py N L CONC RPM # one case; RPM 0 = no server limit
    .venv/bin/python benchmarks/bench_synthesize.py cost [N]     # the cache and refresh case only
    .venv/bin/python benchmarks/bench_synthesize.py batch [N]    # sync vs --llm-batch: cost per 1,000 nodes
    .venv/bin/python benchmarks/bench_synthesize.py prices [N]   # one table: $ per 1,000 nodes

The prices case prints one table: rows provider/model (Anthropic, OpenAI, Gemini) x mode (sync
standard, sync flex where the provider sells it, batch) x prompt caching (off, on); columns the cost
per 1,000 nodes, the share of input read from the prompt cache after the first request, the requests
(batch: items, batches and runs) and the ratio to the synchronous standard run without caching. Every
request carries a 6,000-character house style guide; costs are priced from what the fake server
billed (it accounts caching as the providers document it, batch items included) with the packaged
price table at the mode's tier. Goals: >= 60 % read from the cache after the first request (Anthropic
and OpenAI); batch <= 0.55 x sync.

The cost case: a first run (marking what the model wrote), a rerun after reverting the YAML (goal: 0
requests, no slower than 1.1 x a plain `yaml document`), and `--llm-refresh-stale` after changing the
SQL of 5 % of the models (goal: one request per changed model that has model-written text).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from tests.fakes.fake_provider import FAKE_API_KEY, FakeProviderServer  # noqa: E402
from tests.fakes.prompt_cache import PromptCacheAccounting  # noqa: E402

from generate_project import generate  # noqa: E402

SYNTHESIZED = re.compile(r"with\s+(\d+)\s+request\(s\)\s+in\s+([\d.]+)s")


def run_case(n_models: int, latency: float, concurrency: int, rpm: int) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeProviderServer(latency=latency, rpm_limit=rpm or None) as server,
    ):
        root = Path(tmp) / "project"
        catalog = generate(root, n_models)
        env = {
            **os.environ,
            "LLM_PROVIDER": "openai",
            "OPENAI_API_KEY": FAKE_API_KEY,
            "OPENAI_BASE_URL": f"{server.base_url}/v1",
        }
        # Our limiter gets the provider's real limit; without one, it must not be what slows the run.
        limit = str(rpm) if rpm else "1000000"
        command = [
            str(ROOT / ".venv/bin/dbt-osmosis"), "yaml", "document", "--project-dir", str(root),
            "--profiles-dir", str(root), "--catalog-path", str(catalog), "--synthesize",
            "--llm-concurrency", str(concurrency), "--llm-rate-limit", limit,
        ]  # fmt: skip
        started = time.perf_counter()
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        total = time.perf_counter() - started
        match = SYNTHESIZED.search(out.stdout)
        if out.returncode != 0 or match is None:
            print(out.stdout[-2000:], out.stderr[-2000:])
            raise SystemExit(f"run failed with exit code {out.returncode}")
        requests, synth_seconds = int(match.group(1)), float(match.group(2))
        served = server.usage_totals()
        bound = max(requests * latency / concurrency, requests / rpm * 60 if rpm else 0.0)
        print(
            f"N={n_models} L={latency}s concurrency={concurrency} server_rpm={rpm or 'none'}: "
            f"requests={requests} (server saw {served['requests']}, incl. 429s), "
            f"tokens={served['prompt_tokens']}+{served['completion_tokens']}, "
            f"synthesis {synth_seconds:.2f}s, lower bound {bound:.2f}s, ratio {synth_seconds / bound:.3f}; "
            f"whole command {total:.2f}s (dbt parse and the rest {total - synth_seconds:.2f}s)"
        )


def _cli(root: Path, catalog: Path, *extra: str) -> list[str]:
    return [
        str(ROOT / ".venv/bin/dbt-osmosis"), "yaml", "document", "--project-dir", str(root),
        "--profiles-dir", str(root), "--catalog-path", str(catalog), *extra,
    ]  # fmt: skip


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if out.returncode != 0:
        print(out.stdout[-2000:], out.stderr[-2000:])
        raise SystemExit(f"run failed with exit code {out.returncode}")
    return seconds, out.stdout


def _yaml_files(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in root.rglob("*.yml") if "target" not in path.parts}


def run_cost_case(n_models: int, latency: float = 0.05, concurrency: int = 8) -> None:
    """First run, rerun after reverting the YAML, and --llm-refresh-stale after changing 5 % of models."""
    with tempfile.TemporaryDirectory() as tmp, FakeProviderServer(latency=latency) as server:
        root = Path(tmp) / "project"
        catalog = generate(root, n_models)
        plain_root = Path(tmp) / "plain"
        shutil.copytree(root, plain_root)
        env = {
            **os.environ,
            "LLM_PROVIDER": "openai",
            "OPENAI_API_KEY": FAKE_API_KEY,
            "OPENAI_BASE_URL": f"{server.base_url}/v1",
        }
        synth = ("--synthesize", "--llm-concurrency", str(concurrency), "--llm-rate-limit", "1000000")
        original = _yaml_files(root)

        first_s, _ = _timed(_cli(root, catalog, *synth, "--llm-mark-generated"), env)
        first_requests = server.usage_totals()["requests"]

        # Like the rerun below, the plain run it is compared with finds dbt's partial-parse file warm
        # and starts from the original YAML.
        plain_original = _yaml_files(plain_root)
        _timed(_cli(plain_root, plain_root / "catalog.json"), env)
        for path in _yaml_files(plain_root):
            if path not in plain_original:
                path.unlink()
        for path, data in plain_original.items():
            path.write_bytes(data)
        plain_s, _ = _timed(_cli(plain_root, plain_root / "catalog.json"), env)

        written = _yaml_files(root)
        for path in written:
            if path not in original:
                path.unlink()
        for path, data in original.items():
            path.write_bytes(data)
        server.reset()
        rerun_s, _ = _timed(_cli(root, catalog, *synth, "--llm-mark-generated"), env)
        rerun_requests = server.usage_totals()["requests"]

        # Change the SQL of 5 % of the models, picked (spread over the project) among those the model
        # wrote text for: the others have nothing to refresh.
        def has_marks(sql: Path) -> bool:
            yaml_path = sql.parent / f"_{sql.stem}.yml"
            return yaml_path.is_file() and "osmosis_generated" in yaml_path.read_text()

        marked = [p for p in sorted(root.glob("models/marts/**/model_*.sql")) if has_marks(p)]
        wanted = max(1, n_models // 20)
        changed = marked[:: max(1, len(marked) // wanted)][:wanted]
        for path in changed:
            path.write_text(path.read_text() + "-- reviewed: logic changed\n")
        server.reset()
        refresh_s, _ = _timed(_cli(root, catalog, *synth, "--llm-refresh-stale"), env)
        refresh_requests = server.usage_totals()["requests"]
        print(
            f"N={n_models} L={latency}s concurrency={concurrency}: first run {first_requests} requests "
            f"in {first_s:.2f}s; rerun after reverting the YAML {rerun_requests} requests in "
            f"{rerun_s:.2f}s vs plain `yaml document` {plain_s:.2f}s (ratio {rerun_s / plain_s:.2f}); "
            f"--llm-refresh-stale after changing the SQL of {len(changed)} models with model-written "
            f"text: {refresh_requests} requests in {refresh_s:.2f}s"
        )


def run_batch_case(n_models: int) -> None:
    """A synchronous run and a ``--llm-batch`` run on copies of one project: cost per 1,000 nodes, bytes.

    In process, through ``dbt_osmosis.api``: the batch run is repeated, with the fake's batches completed
    in between, until it no longer exits with the pending code; its cost is the sum over those runs.
    """
    from dbt_osmosis.api import DocumentOptions, DocumentRun, ExitCode, LLMOptions, ProjectLocation, document

    with tempfile.TemporaryDirectory() as tmp, FakeProviderServer() as server:
        roots = {name: Path(tmp) / name / "project" for name in ("sync", "batch")}
        catalog = generate(roots["sync"], n_models)
        shutil.copytree(roots["sync"], roots["batch"])
        os.environ.update(
            {
                "LLM_PROVIDER": "openai",
                "OPENAI_API_KEY": FAKE_API_KEY,
                "OPENAI_BASE_URL": f"{server.base_url}/v1",
            }
        )

        def run(name: str, **llm: object) -> tuple[ExitCode, float]:
            root = roots[name]
            options = DocumentOptions(catalog_path=root / catalog.relative_to(roots["sync"]))
            llm_options = LLMOptions(synthesize=True, rate_limit=1_000_000, **llm)  # type: ignore[arg-type]
            where = ProjectLocation(project_dir=root, profiles_dir=root)
            result = document(DocumentRun(project=where, options=options, llm=llm_options))
            summary = result.synthesis
            return result.exit_code, (summary.cost or 0.0) if summary is not None else 0.0

        code, sync_cost = run("sync", no_cache=True)
        sync_requests = server.usage_totals()["requests"]
        batch_cost, runs = 0.0, 0
        while True:
            code, cost = run("batch", batch=True)
            batch_cost, runs = batch_cost + cost, runs + 1
            if code != ExitCode.PENDING:
                break
            server.batches.complete_all()
        written = {
            name: {path.relative_to(root): data for path, data in _yaml_files(root).items()}
            for name, root in roots.items()
        }
        same = written["sync"] == written["batch"]
        per_k = 1000 / n_models
        print(
            f"N={n_models} openai/gpt-4.1-mini: sync {sync_requests} requests, "
            f"${sync_cost * per_k:.4f} per 1,000 nodes; batch {server.batches.item_count} items in "
            f"{len(server.batches.batches)} batch(es) over {runs} runs (exit {int(code)}), "
            f"${batch_cost * per_k:.4f} per 1,000 nodes (ratio {batch_cost / sync_cost:.3f}); "
            f"same YAML bytes: {'yes' if same else 'NO'}"
        )


STYLE_GUIDE = ("Write for analysts; name the grain first; spell out every abbreviation once. " * 80)[:6000]

#: (provider, environment for the provider, model): each provider's model with the most price tiers.
PRICED_MODELS: tuple[tuple[str, str, str], ...] = (
    ("anthropic", "ANTHROPIC", "claude-sonnet-4-5"),
    ("openai", "OPENAI", "gpt-5-mini"),
    ("google-gemini", "GOOGLE_GEMINI", "gemini-2.5-flash"),
)
#: Providers that sell a flex tier.
FLEX_PROVIDERS = frozenset({"openai", "google-gemini"})


@dataclass
class PricedRow:
    """One line of the price table: a provider/model at one mode, caching off or on."""

    provider: str
    model: str
    mode: str
    caching: bool
    per_thousand: float | None
    cache_share: float
    requests: int
    note: str = ""


def _provider_env(server: FakeProviderServer, prefix: str, model: str) -> dict[str, str]:
    base = server.base_url
    return {
        f"{prefix}_API_KEY": FAKE_API_KEY,
        f"{prefix}_BASE_URL": f"{base}/v1" if prefix == "OPENAI" else base,
        {"GOOGLE_GEMINI": "GOOGLE_GEMINI_MODEL"}.get(prefix, f"{prefix}_MODEL"): model,
    }


def _priced_run(
    server: FakeProviderServer,
    template: Path,
    tmp: Path,
    provider: str,
    model: str,
    mode: str,
    caching: bool,
) -> PricedRow:
    """One synthesis of a fresh copy of ``template`` through ``dbt_osmosis.api``, priced from what the
    fake server billed (its caching accounting) with the packaged price table at the mode's tier.

    The batch mode is repeated, the fake's batches completed in between, until nothing is pending.
    """
    from dbt_osmosis.api import DocumentOptions, DocumentRun, ExitCode, LLMOptions, ProjectLocation, document
    from dbt_osmosis.core.llm.usage import PriceTable

    server.reset()
    accounting = PromptCacheAccounting(enabled=caching)
    server.prompt_cache = accounting
    root = tmp / f"{provider}-{mode.replace(' ', '-')}-{caching}"
    shutil.copytree(template, root)
    tier = {"sync flex": "flex", "batch": "batch"}.get(mode)
    llm = LLMOptions(
        synthesize=True,
        rate_limit=1_000_000,
        concurrency=8,
        no_cache=mode != "batch",  # a batch run needs the cache between its runs
        service_tier="flex" if tier == "flex" else None,
        batch=mode == "batch",
    )
    where = ProjectLocation(project_dir=root, profiles_dir=root)
    run = DocumentRun(project=where, options=DocumentOptions(catalog_path=root / "catalog.json"), llm=llm)
    runs = 0
    while True:
        result = document(run)
        runs += 1
        if result.exit_code != ExitCode.PENDING:
            break
        server.batches.complete_all()
    if result.exit_code != ExitCode.OK:
        raise SystemExit(f"{provider} {mode}: exit {int(result.exit_code)}: {result.notes}")
    totals = server.usage_totals()
    listed = PriceTable.load().price(provider, model)
    price = None if listed is None else listed.at_tier(tier)
    cost = (
        None
        if price is None
        else price.cost(
            totals["prompt_tokens"],
            totals["completion_tokens"],
            accounting.read_tokens,
            accounting.write_tokens,
        )
    )
    after_first = accounting.prompt_tokens - accounting.first_prompt_tokens
    share = accounting.read_tokens / after_first if after_first else 0.0
    nodes = sum(1 for _ in template.glob("models/**/*.sql"))  # every model synthesized, staging included
    requests = server.batches.item_count if mode == "batch" else totals["requests"]
    note = f"{len(server.batches.batches)} batches, {runs} runs" if mode == "batch" else ""
    per_thousand = None if cost is None else cost / nodes * 1000
    return PricedRow(provider, model, mode, caching, per_thousand, share, requests, note)


def run_price_case(n_models: int) -> None:
    """One table: cost per 1,000 nodes by provider/model, mode (sync, flex, batch) and caching."""
    os.environ.update({"OSMOSIS_LLM_MAX_RETRIES": "0"})
    for name in ("OSMOSIS_LLM_MAX_COST", "OSMOSIS_LLM_MAX_REQUESTS", "OSMOSIS_LLM_CACHE_DIR"):
        os.environ.pop(name, None)
    started_cpu = os.times()
    started = time.perf_counter()
    rows: list[PricedRow] = []
    with tempfile.TemporaryDirectory() as tmp_name, FakeProviderServer() as server:
        tmp = Path(tmp_name)
        template = tmp / "template"
        generate(template, n_models)
        prompts = tmp / "prompts.yml"
        prompts.write_text(f"variables:\n  style_guide: {STYLE_GUIDE!r}\n", encoding="utf-8")
        os.environ["OSMOSIS_LLM_PROMPT_FILE"] = str(prompts)
        for provider, prefix, model in PRICED_MODELS:
            os.environ.update({"LLM_PROVIDER": provider, **_provider_env(server, prefix, model)})
            modes = ["sync standard", *(["sync flex"] if provider in FLEX_PROVIDERS else []), "batch"]
            for mode in modes:
                for caching in (False, True):
                    rows.append(_priced_run(server, template, tmp, provider, model, mode, caching))
    wall = time.perf_counter() - started
    ended_cpu = os.times()
    cpu = sum(ended_cpu[i] - started_cpu[i] for i in range(4))
    _print_price_table(rows, n_models)
    print(f"\n(wall {wall:.1f} s, CPU {cpu:.1f} s user+sys incl. children)")


def _print_price_table(rows: list[PricedRow], n_models: int) -> None:
    print(
        f"N={n_models} generated models, a 6,000-character house style guide in every request; fake "
        "server (caching accounted as the providers document it), priced with the packaged table.\n"
    )
    header = (
        "| Provider / model | Mode | Caching | $ per 1,000 nodes | Input read from cache "
        "(after the 1st request) | Requests | x sync standard, no caching |"
    )
    print(header)
    print("|---|---|---|---|---|---|---|")
    base: dict[str, float | None] = {}
    for row in rows:
        if row.mode == "sync standard" and not row.caching:
            base[row.provider] = row.per_thousand
        reference = base.get(row.provider)
        ratio = f"{row.per_thousand / reference:.3f}" if row.per_thousand is not None and reference else "n/a"
        cost = "unknown" if row.per_thousand is None else f"${row.per_thousand:.4f}"
        requests = f"{row.requests}" + (f" ({row.note})" if row.note else "")
        print(
            f"| {row.provider} {row.model} | {row.mode} | {'on' if row.caching else 'off'} | {cost} | "
            f"{row.cache_share:.0%} | {requests} | {ratio} |"
        )


def main(argv: list[str]) -> None:
    if argv and argv[0] == "prices":
        run_price_case(int(argv[1]) if len(argv) > 1 else 100)
        return
    if argv and argv[0] == "cost":
        run_cost_case(int(argv[1]) if len(argv) > 1 else 200)
        return
    if argv and argv[0] == "batch":
        run_batch_case(int(argv[1]) if len(argv) > 1 else 200)
        return
    if argv:
        n, latency, concurrency, rpm = int(argv[0]), float(argv[1]), int(argv[2]), int(argv[3])
        run_case(n, latency, concurrency, rpm)
        return
    run_case(200, 0.5, 8, 0)
    run_case(200, 0.5, 8, 120)
    run_cost_case(200)


if __name__ == "__main__":
    main(sys.argv[1:])
