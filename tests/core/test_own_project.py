"""README "Run it on your own project": from the project folder, with no directory options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.projects import snapshot


def test_runs_from_the_project_folder_without_any_directory_option(chain: Path) -> None:
    before = snapshot(chain)
    env = {k: v for k, v in os.environ.items() if k not in {"DBT_PROFILES_DIR", "LLM_PROVIDER"}}
    dry = subprocess.run(
        [sys.executable, "-m", "dbt_osmosis.cli.main", "yaml", "document", "--dry-run"],
        cwd=chain, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "would change; nothing written" in dry.stdout
    assert snapshot(chain) == before
    dry_llm = subprocess.run(
        [sys.executable, "-m", "dbt_osmosis.cli.main", "yaml", "document", "--synthesize", "--llm-dry-run"],
        cwd=chain, env={k: v for k, v in env.items() if not k.endswith("_API_KEY")},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert dry_llm.returncode == 0, dry_llm.stdout + dry_llm.stderr
    assert "would ask for" in dry_llm.stdout
    assert snapshot(chain) == before
