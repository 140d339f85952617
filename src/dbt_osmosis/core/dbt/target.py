"""The project's target folder, where dbt writes its artifacts and dbt-osmosis keeps its run files.

dbt-osmosis keeps its lock and its LLM files there so that a project which moved dbt's output
(``DBT_TARGET_PATH``, ``target-path:``) gets no stray ``target/`` folder, and so that cleaning the
target folder (``dbt clean``) cleans them too. It is resolved before dbt parses the project (the lock
is taken first), so it is read here the way dbt reads it rather than taken from dbt's parsed config.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml as pyyaml

__all__ = ["dbt_target_dir"]


def dbt_target_dir(project_dir: Path) -> Path:
    """The project's target folder as dbt resolves it.

    dbt's ``DBT_TARGET_PATH``, else ``target-path`` in ``dbt_project.yml``, else ``target``; a relative
    one is under the project folder (dbt runs from there), an absolute one is used as it is.
    """
    target = os.environ.get("DBT_TARGET_PATH", "").strip()
    if not target:
        try:
            config = pyyaml.safe_load((project_dir / "dbt_project.yml").read_text("utf-8"))
        except (OSError, ValueError, pyyaml.YAMLError):
            config = None
        configured = config.get("target-path") if isinstance(config, dict) else None
        # A templated value cannot be rendered before dbt runs; dbt's default is the honest fallback.
        usable = isinstance(configured, str) and configured.strip() and "{" not in configured
        target = configured.strip() if usable and isinstance(configured, str) else "target"
    return project_dir / target
