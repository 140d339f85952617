"""Every error dbt-osmosis raises on purpose, in one tree.

Each one is for a person: it says what is wrong, where, and how to fix it.

    OsmosisError                      root of the project's own errors
    ├── InputError                    bad input, nothing written (the CLI prints one line, exit 2)
    │   ├── ProjectError              the dbt project or its profile cannot be loaded
    │   ├── YamlError                 a schema YAML file cannot be read or parsed
    │   ├── SelectionError            the selection matches nothing
    │   ├── TemplateError             a path template cannot be rendered for a node
    │   ├── BudgetError               the run's estimate exceeds its budget; nothing was sent
    │   └── UsageError                options that cannot go together, or an option's bad value
    ├── NodeError                     one node cannot be handled; the run goes on with the rest
    │   └── EntryEditError            a node's YAML entry cannot be edited safely
    └── LLMError                      (core.llm.exceptions) the LLM layer; LLMConfigError is bad input

Errors raised directly as ``OsmosisError`` (and its other subclasses outside this module, such as the
run lock's) also mean bad input; ``NodeError`` and the LLM errors other than ``LLMConfigError`` do not.
The one place that turns an error into an exit code is ``dbt_osmosis.exit_codes``.
"""

from __future__ import annotations

__all__ = [
    "BudgetError",
    "EntryEditError",
    "InputError",
    "NodeError",
    "OsmosisError",
    "ProjectError",
    "SelectionError",
    "TemplateError",
    "UsageError",
    "YamlError",
]


class OsmosisError(Exception):
    """Root of the errors dbt-osmosis raises on purpose; raised as is, it means bad input."""


class InputError(OsmosisError):
    """Bad input: the run stopped before writing anything."""


class ProjectError(InputError):
    """The dbt project or its profile cannot be loaded."""


class YamlError(InputError):
    """A schema YAML file cannot be read or parsed."""


class SelectionError(InputError):
    """The models or fqn selectors given on the command line match nothing."""


class TemplateError(InputError):
    """A dbt-osmosis path template cannot be rendered for a node."""


class BudgetError(InputError):
    """The run's estimate already exceeds its budget; nothing was sent."""


class UsageError(InputError):
    """Options that cannot go together, or an option whose value cannot be used."""


class NodeError(OsmosisError):
    """One node cannot be handled; that node is reported as failed and the run goes on with the rest."""


class EntryEditError(NodeError):
    """A node's YAML entry cannot be edited safely (it vanished, or the file changed under the run)."""
