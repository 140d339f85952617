"""Time `yaml document --synthesize` against the fake provider server.

For each case: generate an N-model project, start the fake server with latency L (and optionally a
server-side requests-per-minute limit), run the CLI in a subprocess, and compare the synthesis wall
time with the lower bound max(requests x L / concurrency, requests / RPM x 60 s).

    .venv/bin/python benchmarks/bench_synthesize.py              # the two cases of the issue
    .venv/bin/python benchmarks/bench_synthesize.py N L CONC RPM # one case; RPM 0 = no server limit
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from tests.fakes.fake_provider import FAKE_API_KEY, FakeProviderServer  # noqa: E402

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


def main(argv: list[str]) -> None:
    if argv:
        n, latency, concurrency, rpm = int(argv[0]), float(argv[1]), int(argv[2]), int(argv[3])
        run_case(n, latency, concurrency, rpm)
        return
    run_case(200, 0.5, 8, 0)
    run_case(200, 0.5, 8, 120)


if __name__ == "__main__":
    main(sys.argv[1:])
