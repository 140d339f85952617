"""`make demo` as a new user runs it: document the demo, show the diff, end with an LLM dry run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_make_demo_ends_with_a_dry_run_that_needs_no_key(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.fail("make is needed to run the demo")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.endswith("_API_KEY") and key not in {"LLM_PROVIDER", "DBT_PROFILES_DIR"}
    }
    demo = tmp_path / "build" / "demo_duckdb"
    result = subprocess.run(
        # -o: the test's own environment is the installed one; never reinstall from here.
        ["make", "--no-print-directory", "-C", str(ROOT), "-o", ".venv/.installed", "demo",
         f"DEMO_RUN={demo}", f"BIN={Path(sys.executable).parent}"],
        env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "--- What changed in the demo project's YAML ---" in output
    tail = output.split("--- What --synthesize would ask an LLM")[1]
    assert "would ask for" in tail
    assert "Estimate for openai / " in tail and "(dry run, no request sent)" in tail
    assert "Traceback" not in output and "error:" not in output
    assert tail.rstrip().endswith("nothing written.")
