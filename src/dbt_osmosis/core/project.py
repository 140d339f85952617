"""Moved to ``dbt_osmosis.core.dbt.project``; this path is kept for one release."""

from dbt_osmosis.core.dbt.project import (
    DOCUMENTED_TYPES,
    DbtProject,
    Node,
    ProjectOptions,
    dbt_args,
    discover_project_dir,
    load_project,
    resolve_options,
    working_directory,
)

__all__ = [
    "DOCUMENTED_TYPES",
    "DbtProject",
    "Node",
    "ProjectOptions",
    "dbt_args",
    "discover_project_dir",
    "load_project",
    "resolve_options",
    "working_directory",
]
