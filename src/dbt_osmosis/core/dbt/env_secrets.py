"""The secrets of the environment, and how to keep them out of what a command prints.

A query's Jinja can read any environment variable (``{{ env_var('OPENAI_API_KEY') }}``), and what dbt
and the warehouse send back (compiled SQL, column names, rows, error messages) can then hold it. The
commands that print such output mask it with a ``Secrets``, read once from the environment at the
command's edge and passed in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Secrets"]

# Names of environment variables that hold secrets: dbt's own DBT_ENV_SECRET_ prefix (dbt scrubs those
# from its logs) and the usual words for keys and passwords (OPENAI_API_KEY, SNOWFLAKE_PASSWORD, ...).
_SECRET_NAME = re.compile(
    r"(?i)(^DBT_ENV_SECRET_|API_?KEY|ACCESS_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_?KEY)"
)
# A secret shorter than this is masked in data (rows, compiled SQL) only where it is the whole value:
# masking a four-letter password inside every word of every row would destroy the output.
_SUBSTRING_MIN = 8
_SECRET_MIN = 4


@dataclass(frozen=True)
class Secrets:
    """The values of the environment's secret variables, and how to keep them out of what is shown.

    Messages (errors, log lines) are masked greedily: every known secret and anything shaped like an
    API key, as the LLM layer's redaction does. Data (the compiled SQL, column names, cells) is masked
    only where it holds a known secret: a column of md5 hashes or tokens that are not this machine's
    secrets is the user's data, and hiding it would make ``sql run`` useless on such a table.
    """

    values: tuple[str, ...] = ()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Secrets:
        """The secrets of ``environ`` (default ``os.environ``): variables named like keys and passwords."""
        env = os.environ if environ is None else environ
        found = {
            value for name, value in env.items() if _SECRET_NAME.search(name) and len(value) >= _SECRET_MIN
        }
        # Longest first, so that a secret containing another is masked whole.
        return cls(tuple(sorted(found, key=len, reverse=True)))

    def message(self, text: str) -> str:
        """``text`` with every known secret and every key-shaped string replaced by ``***``."""
        from dbt_osmosis.core.llm.exceptions import redact

        return redact(text, *self.values)

    def data(self, text: str) -> str:
        """``text`` with the known secrets replaced by ``***`` (short ones only when they are all of it)."""
        for secret in self.values:
            if text == secret:
                return "***"
            if len(secret) >= _SUBSTRING_MIN and secret in text:
                text = text.replace(secret, "***")
        return text

    def cell(self, value: Any) -> Any:
        """A result cell, masked when it is (or holds) a secret; other values come back unchanged."""
        if isinstance(value, str) and self.values:
            return self.data(value)
        return value
