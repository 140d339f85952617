"""Read-only looks at a project's documentation: ``docs`` measures how much of it is there."""

from dbt_osmosis.core.analyze.docs import (
    Coverage,
    DocsGap,
    DocsReport,
    DocsThresholds,
    ModelCoverage,
    judge,
    measure_docs,
)

__all__ = ["Coverage", "DocsGap", "DocsReport", "DocsThresholds", "ModelCoverage", "judge", "measure_docs"]
