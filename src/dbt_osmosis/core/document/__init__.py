"""The ``yaml document`` pipeline: select -> columns -> (per node, in DAG order) place -> add -> inherit.

``planning`` builds the plan in memory and writes it; ``steps`` holds one node's steps in order;
``types`` the options, the plan and a node's context; ``versions`` the rules for versioned models;
``inheritance`` the column knowledge flowing down the DAG; ``preflight`` the checks made before any
LLM request. The names below are this package's surface (and what ``dbt_osmosis.core.document``
exported before it became a package).
"""

from dbt_osmosis.core.document.planning import (
    context_for,
    orphan_entries,
    plan_document,
    select_nodes,
    write_changes,
)
from dbt_osmosis.core.document.steps import (
    PROGENITOR_KEY,
    apply_node_steps,
    inherit_column_docs,
    inherit_extra_keys,
    learn,
)
from dbt_osmosis.core.document.types import Change, DocumentOptions, DocumentPlan, NodeContext
from dbt_osmosis.core.document.versions import answers_for
from dbt_osmosis.core.schema.items import column_items, set_meta
from dbt_osmosis.core.schema.versions import entry_of

__all__ = [
    "PROGENITOR_KEY",
    "Change",
    "DocumentOptions",
    "DocumentPlan",
    "NodeContext",
    "answers_for",
    "apply_node_steps",
    "column_items",
    "context_for",
    "entry_of",
    "inherit_column_docs",
    "inherit_extra_keys",
    "learn",
    "orphan_entries",
    "plan_document",
    "select_nodes",
    "set_meta",
    "write_changes",
]
