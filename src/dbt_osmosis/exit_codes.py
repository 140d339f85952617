"""The exit codes of every command, and the one mapping from an error to its code.

The library's results carry the code they imply (``result.exit_code``); the command line exits with it.
This module imports nothing from the rest of the package at import time.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode", "exit_code_for_error"]


class ExitCode(IntEnum):
    """What a command's exit status means; scripts and CI depend on these numbers."""

    OK = 0
    #: ``--check`` found files that would change (``yaml review --check``: unreviewed text); also
    #: ``test-llm`` when the provider does not answer.
    CHANGES = 1
    #: Bad input (project, YAML, options, LLM configuration, budget), or the provider rejected the key
    #: (synthesis and ``test-llm`` alike); nothing was written.
    BAD_INPUT = 2
    #: The run finished, but some nodes failed or some files could not be edited or written.
    INCOMPLETE = 3
    #: ``--llm-batch``: answers are still in the provider's batches; nothing was written. Run the same
    #: command again later to collect them (and submit the next wave).
    PENDING = 4
    #: Ctrl-C; every node finished so far was kept (or nothing was written).
    INTERRUPTED = 130


def exit_code_for_error(exc: BaseException) -> ExitCode | None:
    """The code for an error that reached the command line; ``None`` when it is a bug to show in full.

    Every ``OsmosisError`` means bad input except a ``NodeError`` (handled per node inside a run) and
    the LLM errors other than ``LLMConfigError`` (handled inside a run: reaching here they are a bug).
    """
    from dbt_osmosis.core.errors import NodeError, OsmosisError

    if not isinstance(exc, OsmosisError) or isinstance(exc, NodeError):
        return None
    # Imported only when an error is being mapped: a run that never used the LLM layer does not load it.
    from dbt_osmosis.core.llm.exceptions import LLMConfigError, LLMError

    if isinstance(exc, LLMError) and not isinstance(exc, LLMConfigError):
        return None
    return ExitCode.BAD_INPUT
