"""What the command line keeps from dbt-osmosis 1.x: project discovery and options that changed meaning.

Options whose 1.x behaviour is now always on are still accepted so that scripts keep working; each says
so once at debug level and does nothing else.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from dbt_osmosis.core.project import ProjectOptions, discover_project_dir

__all__ = ["NOW_DEFAULT_FLAGS", "note_now_default_flags", "project_options"]

log = logging.getLogger("dbt_osmosis")

#: 1.x flags (by click parameter name) whose behaviour is what every run now does, and why.
NOW_DEFAULT_FLAGS: dict[str, str] = {
    "use_unrendered_descriptions": (
        "--use-unrendered-descriptions is the default now: descriptions are always read from the YAML "
        "as written, so a {{ doc() }} reference is inherited as a reference."
    ),
    "auto_apply": (
        "--auto-apply: yaml document never asked for confirmation; the flag changes nothing here."
    ),
}


def project_options(params: dict[str, Any]) -> ProjectOptions:
    """Where the project is and how dbt loads it, found the way dbt finds it.

    ``--project-dir`` (or ``DBT_PROJECT_DIR``, read by click) wins; otherwise the nearest folder at or
    above the current one that holds ``dbt_project.yml``.
    """
    given = params.get("project_dir")
    project_dir = discover_project_dir(Path(given) if given is not None else None, Path.cwd())
    return ProjectOptions(
        project_dir=project_dir,
        profiles_dir=params.get("profiles_dir"),
        target=params.get("target"),
        threads=params.get("threads"),
        vars=params.get("vars"),
        profile=params.get("profile"),
    )


def note_now_default_flags(params: dict[str, Any], flags: dict[str, str] = NOW_DEFAULT_FLAGS) -> None:
    """Say once, at debug level, that a given 1.x flag is accepted and changes nothing."""
    for name, message in flags.items():
        if params.get(name):
            log.debug(message)
