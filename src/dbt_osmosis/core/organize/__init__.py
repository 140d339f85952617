"""``yaml organize``: every entry in the file its path template says, moved as text so nothing is lost.

``planning`` decides where each entry belongs and builds the organized files in memory; ``text``
moves an entry's lines between files and checks that each file still means what it should. The names
below are what ``dbt_osmosis.core.organize`` exported before it became a package.
"""

from dbt_osmosis.core.organize.planning import (
    Move,
    OrganizePlan,
    SourceTarget,
    delete_emptied,
    move_groups,
    organize_project,
    placed_nodes,
    set_aside_emptied,
    source_targets,
    write_organized,
)
from dbt_osmosis.core.organize.text import OrganizeError

__all__ = [
    "Move",
    "OrganizeError",
    "OrganizePlan",
    "SourceTarget",
    "delete_emptied",
    "move_groups",
    "organize_project",
    "placed_nodes",
    "set_aside_emptied",
    "source_targets",
    "write_organized",
]
