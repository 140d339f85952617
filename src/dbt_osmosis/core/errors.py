"""Errors that stop a ``yaml document`` run before anything is written.

Each one is for a person: it says what is wrong, where, and how to fix it. The CLI prints it as one line
and exits with code 2.
"""

from __future__ import annotations

__all__ = [
    "EntryEditError",
    "NodeError",
    "OsmosisError",
    "ProjectError",
    "SelectionError",
    "TemplateError",
    "YamlError",
]


class OsmosisError(Exception):
    """Base of the errors that mean "bad input, nothing was written"."""


class ProjectError(OsmosisError):
    """The dbt project or its profile cannot be loaded."""


class YamlError(OsmosisError):
    """A schema YAML file cannot be read or parsed."""


class SelectionError(OsmosisError):
    """The models or fqn selectors given on the command line match nothing."""


class TemplateError(OsmosisError):
    """A dbt-osmosis path template cannot be rendered for a node."""


class NodeError(Exception):
    """One node cannot be handled; that node is reported as failed and the run goes on with the rest."""


class EntryEditError(NodeError):
    """A node's YAML entry cannot be edited safely (it vanished, or the file changed under the run)."""
