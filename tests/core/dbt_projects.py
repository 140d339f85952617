"""Moved to tests/support/projects.py; this name stays until the branches written against it merge."""

from tests.support.projects import PROFILE, build, copy_project, snapshot, write_project

__all__ = ["PROFILE", "build", "copy_project", "snapshot", "write_project"]
