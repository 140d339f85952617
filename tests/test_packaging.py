"""The wheel a team installs: it builds, carries its data files, and works from a fresh environment."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import dbt_osmosis
from dbt_osmosis.core import llm

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_with_all_extras_into_a_fresh_environment(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(dist), str(REPO)],
        check=True, capture_output=True,
    )  # fmt: skip
    wheel = next(dist.glob("dbt_osmosis-*.whl"))
    assert wheel.name.startswith(f"dbt_osmosis-{dbt_osmosis.__version__}-")
    assert next(dist.glob("dbt_osmosis-*.tar.gz"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for packaged in (
        "dbt_osmosis/py.typed",
        "dbt_osmosis/core/llm/prices.json",  # the price table
        "dbt_osmosis/core/llm/prompts.py",  # the default prompts
    ):
        assert packaged in names, f"{packaged} missing from the wheel"

    # A fresh environment outside the repository, resolved against the lock so it gets what CI tests.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--constraint", str(REPO / "requirements.lock"), f"{wheel}[all]"],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    cli = venv / "bin" / "dbt-osmosis"
    version = subprocess.run(
        [str(cli), "--version"], check=True, capture_output=True, text=True, cwd=tmp_path
    )
    assert dbt_osmosis.__version__ in version.stdout
    help_text = subprocess.run(
        [str(cli), "yaml", "document", "--help"], check=True, capture_output=True, text=True, cwd=tmp_path
    )
    assert "--synthesize" in help_text.stdout and "--project-dir" in help_text.stdout
    names_check = (
        "import dbt_osmosis.core.llm as llm, openai, anthropic, google.genai, azure.identity\n"
        "missing = [name for name in llm.__all__ if not hasattr(llm, name)]\n"
        "assert not missing, missing\n"
        "assert llm.__file__.startswith(r'" + str(venv) + "'), llm.__file__\n"
        "print(len(llm.__all__))\n"
    )
    imported = subprocess.run([str(python), "-c", names_check], capture_output=True, text=True, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert int(imported.stdout.strip()) == len(llm.__all__)
