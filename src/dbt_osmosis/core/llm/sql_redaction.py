r"""Find every string literal in a model's SQL, by the quoting rules of its warehouse, and hide it.

``OSMOSIS_LLM_REDACT_LITERALS=true`` promises that no string literal of a model's SQL leaves the
machine. A scanner that guesses the quoting wrongly breaks that promise in the worst way: in DuckDB
``'C:\temp\'`` is a complete literal, and a scanner that reads ``\'`` as an escaped quote believes
the literal goes on, ends it at the next quote, and sends every secret after it. So this module
follows each dialect's own rules:

============  =====================================================================================
DuckDB        ``'...'`` with ``''`` (a backslash is an ordinary character); ``E'...'`` with backslash
              escapes; ``$$...$$`` and ``$tag$...$tag$``; ``"..."`` identifiers; nested ``/* */``
Postgres      as DuckDB; a server with ``standard_conforming_strings=off`` reads backslashes in
              ``'...'`` as escapes, so both readings are applied (below)
Snowflake     ``'...'`` with ``''`` and backslash escapes; ``$$...$$``; ``//`` comments too
BigQuery      ``'...'``, ``"..."``, ``'''...'''`` and triple double quotes, raw (``r``) and bytes (``b``)
              prefixes, backslash escapes (a raw string keeps the backslash but it still stops the
              quote from closing); ``#`` comments too; backticks quote identifiers
============  =====================================================================================

It fails closed. An unterminated literal, quoted identifier, comment or Jinja block runs to the end
of the SQL (a dbt model is one statement). Where the quoting depends on something the SQL does not
say (Postgres's ``standard_conforming_strings``, or an adapter this module has no rules for), the SQL
is scanned once per plausible reading and every character that any reading puts inside a literal is
hidden: a disagreement always redacts more, to the end of the SQL at worst, never less.

dbt renders Jinja before the warehouse sees the SQL, so Jinja comes first everywhere, even inside a
literal or a comment: a ``{{ ... }}`` or ``{% ... %}`` block is one unit, its own string literals are
hidden too (``{% set password = 'hunter2' %}``), except the names given to ``ref()``, ``source()``
and ``doc()``, which say which relation the SQL reads and are what a model needs to see. Comments
(SQL and ``{# #}``) are kept, as are identifiers and everything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["REDACTED", "literal_spans", "readings_for", "redact_string_literals"]

REDACTED = "'***'"

# Names passed to these Jinja calls are relation names, not data.
_NAMING_CALLS = frozenset({"ref", "source", "doc"})


@dataclass(frozen=True)
class Reading:
    """One way to read a dialect's quoting."""

    name: str
    #: A backslash in a plain '...' literal escapes the next character.
    backslash_escapes: bool
    #: "..." is a string literal (BigQuery, MySQL) rather than a quoted identifier.
    double_quoted_strings: bool = False
    #: E'...' is a literal with backslash escapes (Postgres, DuckDB).
    escape_strings: bool = False
    #: "tagged" ($tag$...$tag$ and $$...$$), "plain" ($$...$$ only) or None.
    dollar_quotes: str | None = None
    #: '''...''' and \"\"\"...\"\"\" (BigQuery).
    triple_quotes: bool = False
    #: /* /* */ */ nests (Postgres, DuckDB).
    nested_comments: bool = False
    hash_comments: bool = False
    slash_comments: bool = False
    #: $ may appear inside unquoted identifiers (Postgres, DuckDB, Snowflake): a$b$ is a name.
    dollar_in_identifiers: bool = False
    #: A backslash escapes the next character inside a quoted identifier (BigQuery's backticks).
    backslash_in_identifiers: bool = False


_STANDARD = Reading(
    "standard",
    backslash_escapes=False,
    escape_strings=True,
    dollar_quotes="tagged",
    nested_comments=True,
    dollar_in_identifiers=True,
)
DUCKDB = _STANDARD
POSTGRES_LEGACY = Reading(
    "postgres-standard_conforming_strings-off",
    backslash_escapes=True,
    escape_strings=True,
    dollar_quotes="tagged",
    nested_comments=True,
    dollar_in_identifiers=True,
)
SNOWFLAKE = Reading(
    "snowflake",
    backslash_escapes=True,
    dollar_quotes="plain",
    slash_comments=True,
    dollar_in_identifiers=True,
)
BIGQUERY = Reading(
    "bigquery",
    backslash_escapes=True,
    double_quoted_strings=True,
    triple_quotes=True,
    hash_comments=True,
    backslash_in_identifiers=True,
)
# For an adapter without rules here: backslash-escaping dialects with "..." strings and # comments
# (MySQL, Spark, Databricks) as well as standard ones.
_BACKSLASH_GENERIC = Reading(
    "backslash-generic",
    backslash_escapes=True,
    double_quoted_strings=True,
    hash_comments=True,
)

_READINGS: dict[str, tuple[Reading, ...]] = {
    "duckdb": (DUCKDB,),
    "postgres": (_STANDARD, POSTGRES_LEGACY),
    "redshift": (_STANDARD, POSTGRES_LEGACY),
    "snowflake": (SNOWFLAKE,),
    "bigquery": (BIGQUERY,),
}
_UNKNOWN = (_STANDARD, _BACKSLASH_GENERIC, SNOWFLAKE, BIGQUERY)


def readings_for(adapter_type: str | None) -> tuple[Reading, ...]:
    """The quoting readings to apply for a dbt adapter type (every plausible one when unknown)."""
    return _READINGS.get((adapter_type or "").strip().lower(), _UNKNOWN)


def redact_string_literals(sql: str, adapter_type: str | None = None) -> str:
    """``sql`` with every string literal replaced by ``'***'``, by ``adapter_type``'s quoting rules."""
    spans = _union(literal_spans(sql, reading) for reading in readings_for(adapter_type))
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(sql[position:start])
        out.append(REDACTED)
        position = end
    out.append(sql[position:])
    return "".join(out)


def literal_spans(sql: str, reading: Reading) -> list[tuple[int, int]]:
    """``(start, end)`` of every literal (quotes and prefix included) under one reading, in order."""
    return _Scanner(sql, reading).scan()


def _union(groups: Iterable[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    spans = sorted(span for group in groups for span in group)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class _Scanner:
    """One pass over the SQL under one reading; literals found go to ``spans``."""

    def __init__(self, sql: str, reading: Reading) -> None:
        self.sql = sql
        self.n = len(sql)
        self.reading = reading
        self.spans: list[tuple[int, int]] = []

    def scan(self) -> list[tuple[int, int]]:
        sql, reading, i = self.sql, self.reading, 0
        while i < self.n:
            jinja = self.jinja(i, record=True)
            if jinja is not None:
                i = jinja
                continue
            char, two = sql[i], sql[i : i + 2]
            if (
                two == "--"
                or (reading.slash_comments and two == "//")
                or (reading.hash_comments and char == "#")
            ):
                i = self.line_comment(i)
            elif two == "/*":
                i = self.block_comment(i)
            elif char == "'" or (char == '"' and reading.double_quoted_strings):
                i = self.literal(i, i, backslash=reading.backslash_escapes)
            elif char in ('"', "`"):
                i = self.quoted_identifier(i, char, backslash=reading.backslash_in_identifiers)
            elif char == "$" and (tag := self.dollar_tag(i)) is not None:
                i = self.dollar_quoted(i, tag)
            elif self.is_identifier_char(char):
                end = i
                while end < self.n and self.is_identifier_char(sql[end]):
                    end += 1
                if (
                    reading.escape_strings
                    and end - i == 1
                    and char in "eE"
                    and end < self.n
                    and sql[end] == "'"
                ):
                    i = self.literal(i, end, backslash=True)
                else:
                    i = end
            else:
                i += 1
        return self.spans

    def is_identifier_char(self, char: str) -> bool:
        return char.isalnum() or char == "_" or (char == "$" and self.reading.dollar_in_identifiers)

    # -- literals -------------------------------------------------------------------------------------

    def literal(self, start: int, quote_at: int, *, backslash: bool) -> int:
        """Scan the literal whose quote is at ``quote_at`` (a prefix may start at ``start``)."""
        sql, quote = self.sql, self.sql[quote_at]
        closer = quote
        if self.reading.triple_quotes and sql.startswith(quote * 3, quote_at):
            closer = quote * 3
        i = quote_at + len(closer)
        end = self.n  # unterminated: everything to the end is literal
        while i < self.n:
            jinja = self.jinja(i, record=False)
            if jinja is not None:
                i = jinja
            elif backslash and sql[i] == "\\":
                i += 1 if self.jinja(i + 1, record=False) is not None else 2
            elif sql.startswith(closer, i):
                if len(closer) == 1 and sql.startswith(quote, i + 1):
                    i += 2  # a doubled quote: the literal goes on (or, in BigQuery, a new one starts)
                else:
                    end = i + len(closer)
                    break
            else:
                i += 1
        self.spans.append((start, end))
        return end

    def dollar_tag(self, i: int) -> str | None:
        """The ``$tag$`` (or ``$$``) opening at ``i``, if the reading allows one there."""
        sql = self.sql
        if self.reading.dollar_quotes is None:
            return None
        if sql.startswith("$$", i):
            return "$$"
        if self.reading.dollar_quotes != "tagged":
            return None
        j = i + 1
        if j < self.n and (sql[j].isalpha() or sql[j] == "_"):
            while j < self.n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            if j < self.n and sql[j] == "$":
                return sql[i : j + 1]
        return None  # $1 is a parameter, a lone $ is an operator

    def dollar_quoted(self, i: int, tag: str) -> int:
        j, end = i + len(tag), self.n
        while j < self.n:
            jinja = self.jinja(j, record=False)
            if jinja is not None:
                j = jinja
            elif self.sql.startswith(tag, j):
                end = j + len(tag)
                break
            else:
                j += 1
        self.spans.append((i, end))
        return end

    # -- what is kept ---------------------------------------------------------------------------------

    def quoted_identifier(self, i: int, quote: str, *, backslash: bool) -> int:
        sql, j = self.sql, i + 1
        while j < self.n:
            jinja = self.jinja(j, record=True)
            if jinja is not None:
                j = jinja
            elif backslash and sql[j] == "\\":
                j += 2
            elif sql[j] == quote:
                if sql.startswith(quote, j + 1):
                    j += 2  # "a""b" is one identifier
                else:
                    return j + 1
            else:
                j += 1
        return self.n

    def line_comment(self, i: int) -> int:
        j = i
        while j < self.n and self.sql[j] != "\n":
            jinja = self.jinja(j, record=True)
            j = jinja if jinja is not None else j + 1
        return j

    def block_comment(self, i: int) -> int:
        sql, j, depth = self.sql, i + 2, 1
        while j < self.n:
            jinja = self.jinja(j, record=True)
            if jinja is not None:
                j = jinja
            elif sql.startswith("*/", j):
                depth -= 1
                j += 2
                if depth == 0:
                    return j
            elif self.reading.nested_comments and sql.startswith("/*", j):
                depth += 1
                j += 2
            else:
                j += 1
        return self.n

    # -- Jinja ----------------------------------------------------------------------------------------

    def jinja(self, i: int, *, record: bool) -> int | None:
        """The end of the Jinja block opening at ``i`` (None if none does); its strings are recorded.

        Inside a SQL literal (``record=False``) the whole literal is hidden anyway; the block is only
        skipped as one unit, so a quote inside it cannot end the literal.
        """
        sql = self.sql
        if i >= self.n - 1 or sql[i] != "{" or sql[i + 1] not in "{%#":
            return None
        if sql[i + 1] == "#":
            close = sql.find("#}", i + 2)
            if close != -1:
                return close + 2
            return self.unterminated_jinja(i, record)
        closer = "}}" if sql[i + 1] == "{" else "%}"
        j = i + 2
        calls: list[str | None] = []  # one entry per open bracket: the called name for "("
        last_name: str | None = None
        while j < self.n:
            char = sql[j]
            # As in Jinja's lexer, the block only ends outside brackets: {{ {'a': 1}}} is one block.
            if not calls and sql.startswith(closer, j):
                return j + 2
            if char in "'\"":
                end = _jinja_string_end(sql, j)
                if record and not (calls and calls[-1] in _NAMING_CALLS):
                    self.spans.append((j, end))
                j, last_name = end, None
                continue
            if char.isalpha() or char == "_":
                end = j
                while end < self.n and (sql[end].isalnum() or sql[end] == "_"):
                    end += 1
                j, last_name = end, sql[j:end]
                continue
            if char in "([{":
                calls.append(last_name if char == "(" else None)
            elif char in ")]}" and calls:
                calls.pop()
            if not char.isspace():
                last_name = None
            j += 1
        return self.unterminated_jinja(i, record)

    def unterminated_jinja(self, i: int, record: bool) -> int:
        # dbt cannot render this; what follows could be read any way, so none of it is sent.
        if record:
            self.spans.append((i, self.n))
        return self.n


def _jinja_string_end(sql: str, i: int) -> int:
    """End of the Jinja (Python-style) string literal opening at ``i``: backslash escapes, no ''."""
    quote, j = sql[i], i + 1
    while j < len(sql):
        if sql[j] == "\\":
            j += 2
        elif sql[j] == quote:
            return j + 1
        else:
            j += 1
    return len(sql)
