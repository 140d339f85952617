"""Synthesis through the providers' batch services (``--llm-batch``): half the price, answers within a day."""

from dbt_osmosis.core.llm.batch.backends import BATCH_PROVIDERS, BatchBackend, Polled, backend_for
from dbt_osmosis.core.llm.batch.session import (
    BATCH_LABEL,
    STATE_FILE,
    BatchClient,
    BatchPending,
    BatchPriceTable,
    BatchSession,
    BatchStatus,
    BatchUsageStats,
    pending_batches_note,
)

__all__ = [
    "BATCH_LABEL",
    "BATCH_PROVIDERS",
    "STATE_FILE",
    "BatchBackend",
    "BatchClient",
    "BatchPending",
    "BatchPriceTable",
    "BatchSession",
    "BatchStatus",
    "BatchUsageStats",
    "Polled",
    "backend_for",
    "pending_batches_note",
]
