"""What the command line keeps from dbt-osmosis 1.x: options that changed meaning.

Options whose 1.x behaviour is now always on are still accepted so that scripts keep working; each says
so once at debug level and does nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

__all__ = ["NOW_DEFAULT_FLAGS", "note_now_default_flags"]

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


def note_now_default_flags(params: Mapping[str, Any], flags: dict[str, str] = NOW_DEFAULT_FLAGS) -> None:
    """Say once, at debug level, that a given 1.x flag is accepted and changes nothing."""
    for name, message in flags.items():
        if params.get(name):
            log.debug(message)
