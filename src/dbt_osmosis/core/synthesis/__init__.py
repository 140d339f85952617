"""Filling what inheritance left empty with an LLM, and reviewing what it wrote.

``run`` drives one synthesis (``SynthesisRun``); ``gaps`` finds what a node lacks and which texts went
stale; ``requests`` builds the prompts; ``answers`` checks and applies the answers (``answer_text``
makes their text safe); ``estimate`` is the dry run's client; ``dependencies`` decides who waits for
whom; ``provenance`` marks what a model wrote; ``review`` lets a person accept or reject it; ``types``
holds the options and the report. The names below are what ``dbt_osmosis.core.synthesis`` exported
before it became a package.
"""

from dbt_osmosis.core.synthesis.answers import apply_answer
from dbt_osmosis.core.synthesis.estimate import EstimatingClient
from dbt_osmosis.core.synthesis.gaps import Gap, find_gap, stale_texts, stamp_inputs
from dbt_osmosis.core.synthesis.provenance import GENERATED_META_KEY
from dbt_osmosis.core.synthesis.requests import (
    CHARS_PER_TOKEN,
    CONTEXT_DOC_CHARS,
    build_requests,
    expected_tokens,
)
from dbt_osmosis.core.synthesis.run import SynthesisRun, run_synthesis, synthesize
from dbt_osmosis.core.synthesis.types import NodeOutcome, ProgressCallback, SynthesisOptions, SynthesisReport

__all__ = [
    "CHARS_PER_TOKEN",
    "CONTEXT_DOC_CHARS",
    "GENERATED_META_KEY",
    "EstimatingClient",
    "Gap",
    "NodeOutcome",
    "ProgressCallback",
    "SynthesisOptions",
    "SynthesisReport",
    "SynthesisRun",
    "apply_answer",
    "build_requests",
    "expected_tokens",
    "find_gap",
    "run_synthesis",
    "stale_texts",
    "stamp_inputs",
    "synthesize",
]
