"""Compile or run a SQL string against the project through dbt.

dbt does the compiling, as it would for ``dbt compile --inline``: Jinja, ``ref()`` and ``source()``
resolve against the project, and a failure carries dbt's own reason ("depends on a node named 'nope'
which was not found"), not the wrapper's "Error parsing inline query". The compiled SQL then runs on
the profile's connection through dbt's adapter, and the rows are read from the cursor in batches, so a
query of a million rows is never held in memory at once (``dbt show`` would build one agate table of
all of them). With a limit, the warehouse is asked for one row more than the limit, through the
adapter's own ``get_limit_sql`` macro as ``dbt show`` asks, so the caller can say whether rows were
left out. That macro appends a ``limit`` clause; SQL that ends with its own (``... limit 5``) would get
two, a syntax error, so it is first made a subquery (``select * from (<sql>) ...``): the user's limit
is kept and the caller's still caps what is read.

Nothing a query prints may show a secret of the environment: ``{{ env_var('OPENAI_API_KEY') }}`` in
the SQL would otherwise put the key in the compiled SQL, in the rows and in the warehouse's error
message. ``env_secrets.Secrets`` says what is masked where.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from dbt_osmosis.core.dbt.env_secrets import Secrets
from dbt_osmosis.core.dbt.messages import one_line
from dbt_osmosis.core.dbt.project import (
    DbtProject,
    ProjectOptions,
    dbt_args,
    load_project,
    resolve_options,
    working_directory,
)
from dbt_osmosis.core.errors import OsmosisError, ProjectError

__all__ = [
    "BATCH_ROWS",
    "QueryResult",
    "RowStream",
    "Secrets",
    "SqlError",
    "compile_sql",
    "run_sql",
    "stream_sql",
]

#: Rows fetched from the cursor at a time: large enough to keep round trips few, small enough that
#: a batch of wide rows stays a few megabytes.
BATCH_ROWS = 1000


class SqlError(OsmosisError):
    """dbt could not compile or run the SQL it was given (the message says dbt's reason)."""


@dataclass(frozen=True)
class QueryResult:
    """The rows a query returned (at most the limit asked for), with column names and type names."""

    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


class RowStream:
    """The rows of a running query, read from the warehouse in batches as they are iterated.

    ``columns`` and ``numeric`` (per column: are its values numbers, for right alignment) are known
    before the first row is read. Iterating yields at most the limit's rows; once it has ended,
    ``count`` says how many it yielded and ``more`` whether the query had rows past the limit.
    """

    def __init__(self, cursor: Any, limit: int, secrets: Secrets, batch_rows: int = BATCH_ROWS) -> None:
        self._cursor = cursor
        self._limit = limit
        self._secrets = secrets
        self._batch_rows = max(1, batch_rows if limit < 0 else min(batch_rows, limit + 1))
        description = getattr(cursor, "description", None) or ()
        self.columns: tuple[str, ...] = tuple(secrets.data(str(column[0])) for column in description)
        self._first = self._fetch() if description else []
        self.numeric: tuple[bool, ...] = tuple(
            _is_number(next((row[index] for row in self._first if row[index] is not None), None))
            for index in range(len(self.columns))
        )
        self.count = 0
        self.more = False

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        batch, self._first = self._first, []
        while batch:
            for row in batch:
                if 0 <= self._limit <= self.count:
                    self.more = True
                    return
                self.count += 1
                yield tuple(self._secrets.cell(value) for value in row)
            batch = self._fetch()

    def _fetch(self) -> list[tuple[Any, ...]]:
        try:
            return [tuple(row) for row in self._cursor.fetchmany(self._batch_rows)]
        except Exception as exc:  # the warehouse failed while sending rows: dbt's adapters raise many types
            raise SqlError(f"dbt could not run the SQL: {self._secrets.message(one_line(exc))}") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def compile_sql(options: ProjectOptions, sql: str, secrets: Secrets | None = None) -> str:
    """The SQL with its Jinja rendered and refs resolved, as ``dbt compile --inline`` gives it.

    Secrets (default: those of the environment) that the Jinja put into the SQL are shown as ``***``.
    """
    secrets = Secrets.from_environment() if secrets is None else secrets
    project = _load(options, secrets)
    return secrets.data(_compile(project, sql, secrets))


@contextmanager
def stream_sql(
    options: ProjectOptions,
    sql: str,
    limit: int,
    *,
    batch_rows: int = BATCH_ROWS,
    secrets: Secrets | None = None,
) -> Iterator[RowStream]:
    """Run the SQL on the project's connection; yield its rows as a ``RowStream`` (``limit`` -1: all).

    The connection stays open inside the ``with`` block and is closed when it ends, whether or not
    every row was read. ``SqlError`` carries dbt's reason when the SQL does not compile or run.
    Secrets (default: those of the environment) are masked in the rows and in error messages.
    """
    secrets = Secrets.from_environment() if secrets is None else secrets
    _require_sql(sql)
    project = _load(options, secrets)
    compiled = _compile(project, sql, secrets)
    _require_sql(compiled, after_jinja=True)
    _one_statement(compiled, secrets)
    # The adapter's context wraps whatever escapes it as "cannot open a warehouse connection"; the
    # query's own failures and the caller's (a closed pipe) are carried past it and raised as they are.
    escaped: BaseException | None = None
    try:
        with project.adapter() as (adapter, _config):
            try:
                # A trailing ";" or comment is harmless alone but breaks the limit clause put after it.
                statement = without_trailing(compiled)
                if limit >= 0:
                    statement = _limited(adapter, statement, limit + 1, secrets)
                try:
                    _connection, cursor = adapter.connections.add_query(statement)
                except Exception as exc:  # dbt's adapters raise database, runtime and driver errors alike
                    raise SqlError(f"dbt could not run the SQL: {secrets.message(one_line(exc))}") from None
                yield RowStream(cursor, limit, secrets, batch_rows)
            except BaseException as exc:
                escaped = exc
    except ProjectError as exc:
        # dbt's reason for a connection that does not open can quote the profile, password included.
        raise ProjectError(secrets.message(str(exc))) from None
    if escaped is not None:
        raise escaped


def run_sql(options: ProjectOptions, sql: str, limit: int) -> QueryResult:
    """Run the SQL through dbt and return at most ``limit`` rows (-1: all of them, held in memory)."""
    with stream_sql(options, sql, limit) as stream:
        rows = tuple(stream)
        types = tuple("Number" if numeric else "Text" for numeric in stream.numeric)
        return QueryResult(columns=stream.columns, types=types, rows=rows)


def _load(options: ProjectOptions, secrets: Secrets) -> DbtProject:
    try:
        return load_project(options)
    except ProjectError as exc:
        # A profile that reads a password with env_var() can put it in dbt's parse error.
        raise ProjectError(secrets.message(str(exc))) from None


def _compile(project: DbtProject, sql: str, secrets: Secrets) -> str:
    from dbt.cli.main import dbtRunner

    options = resolve_options(project.options)
    with working_directory(project.root):
        # The parsed manifest is reused: dbt adds the inline query to it and compiles only that.
        # --no-write-json: the user's run_results.json and manifest.json are theirs, not this query's.
        outcome = dbtRunner(manifest=project.manifest).invoke(
            ["compile", *dbt_args(options), "--no-write-json", "--inline", sql]
        )
    results = getattr(outcome.result, "results", None)
    if not outcome.success or not results:
        reason = _dbt_reason(outcome.exception, results)
        raise SqlError(f"dbt could not compile the SQL: {secrets.message(reason)}")
    node = getattr(results[0], "node", None)
    _remove_compiled_file(project.root, getattr(node, "compiled_path", None))
    compiled = getattr(node, "compiled_code", None)
    if not isinstance(compiled, str):
        raise SqlError("dbt compiled nothing for the SQL given.")
    return compiled


def _remove_compiled_file(root: Path, compiled_path: str | None) -> None:
    """Delete the copy of the compiled query dbt writes under target/compiled, and its empty folders.

    The query is a one-off, not a node of the project, and its compiled text holds whatever its Jinja
    read (an ``env_var`` secret included): it is printed, not kept in a file.
    """
    if not compiled_path:
        return
    relative = Path(compiled_path)
    with contextlib.suppress(OSError):
        (root / relative).unlink()
    # The folders dbt made for the inline query ("from remote system.sql/sql"), each only if empty.
    if _INLINE_FOLDER not in relative.parts:
        return
    made = relative.parts.index(_INLINE_FOLDER)
    for depth in range(len(relative.parts) - 1, made, -1):
        try:
            (root / Path(*relative.parts[:depth])).rmdir()
        except OSError:
            return


def _limited(adapter: Any, compiled: str, rows: int, secrets: Secrets) -> str:
    """The SQL ``dbt show`` would send for at most ``rows`` rows (the adapter's ``get_limit_sql``).

    SQL ending in its own row limit is wrapped in a subquery first, so the clause the macro appends is
    the outer query's and not a second one on the user's.
    """
    if ends_with_row_limit(compiled):
        compiled = f"select * from (\n{without_trailing(compiled)}\n) as osmosis_limited"
    try:
        limited = adapter.execute_macro("get_limit_subquery_sql", kwargs={"sql": compiled, "limit": rows})
    except Exception as exc:  # a project or package overriding the macro may raise anything
        raise SqlError(
            f"dbt could not add the row limit to the SQL: {secrets.message(one_line(exc))}"
        ) from None
    return str(limited)


# A trailing "limit N" (MySQL's "limit N, M", "limit all", "limit ? offset ?") or the standard "fetch
# first N rows only" (after an "offset"). Comments after it are taken off before looking.
_TRAILING_LIMIT = re.compile(
    r"(?:\blimit\s+[^\s;()]+(?:\s*,\s*[^\s;()]+)?(?:\s+offset\s+[^\s;()]+(?:\s+rows?)?)?"
    r"|\bfetch\s+(?:first|next)\b[^;()]*\bonly)\s*$",
    re.IGNORECASE,
)


def _require_sql(sql: str, *, after_jinja: bool = False) -> None:
    # An empty query would reach the warehouse as a bare "limit 51" and fail with a syntax error.
    if not statements(sql):
        what = "its Jinja renders to no SQL" if after_jinja else "the SQL given is empty (or only comments)"
        raise SqlError(f"No SQL given: {what}; give one query, for example: select 1 as x")


def _one_statement(sql: str, secrets: Secrets) -> None:
    # Drivers run every statement and return only the last one's rows: the first would be lost silently.
    found = statements(sql)
    if len(found) > 1:
        first = secrets.data(" ".join(found[0].split()))
        shown = first if len(first) <= 60 else first[:57] + "..."
        raise SqlError(
            f"The SQL holds {len(found)} statements (the first: {shown!r}); sql run runs one query at a "
            "time: run each on its own."
        )


def statements(sql: str) -> list[str]:
    """The statements of ``sql`` as sqlparse splits them, each without its trailing ``;`` and comments.

    Statements holding nothing but whitespace and comments are left out; a ``;`` inside a string
    literal or a comment does not split.
    """
    import sqlparse

    found = []
    for statement in sqlparse.parse(sql):
        text = without_trailing(str(statement))
        if _has_code(text):
            found.append(text.strip())
    return found


def _has_code(sql: str) -> bool:
    import sqlparse
    from sqlparse import tokens

    return any(
        not piece.is_whitespace and piece.ttype not in tokens.Comment
        for statement in sqlparse.parse(sql)
        for piece in statement.flatten()  # type: ignore[no-untyped-call]
    )


def without_trailing(sql: str) -> str:
    """``sql`` without the semicolons and comments at its end (a clause appended after them breaks).

    Read with sqlparse's tokenizer rather than a pattern, so a ``--`` or ``/*`` inside a string
    literal (``where note = 'a--b'``) is never taken for a comment and cut off.
    """
    import sqlparse
    from sqlparse import tokens

    statements = sqlparse.parse(sql)
    # sqlparse ships no type hints for flatten().
    pieces = [piece for statement in statements for piece in statement.flatten()]  # type: ignore[no-untyped-call]
    end = len(pieces)
    while end and (
        pieces[end - 1].is_whitespace
        or pieces[end - 1].ttype in tokens.Comment
        or (pieces[end - 1].ttype in tokens.Punctuation and pieces[end - 1].value == ";")
    ):
        end -= 1
    return "".join(piece.value for piece in pieces[:end])


def ends_with_row_limit(sql: str) -> bool:
    """Whether ``sql`` ends with its own ``limit``/``fetch first`` clause (trailing comments aside)."""
    return bool(_TRAILING_LIMIT.search(without_trailing(sql)))


# dbt names an inline query as a node of its own; in a message about the user's SQL that is noise.
_INLINE_NODE = re.compile(
    r"(?:Sql_Operation|sql_operation) '?(?:sql_operation\.[\w.]+|inline_query)'? \(from remote system\.sql\)"
)
_INLINE_FOLDER = "from remote system.sql"
_WRAPPER_MESSAGES = {"Error parsing inline query", "Error compiling inline query"}


def _dbt_reason(exception: BaseException | None, results: Any) -> str:
    """The reason dbt gives for a failure: the innermost dbt error under its generic inline-query wrapper."""
    chain: list[BaseException] = []
    current = exception
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    dbt_errors = [
        error
        for error in chain
        if type(error).__module__.startswith("dbt") and one_line(error) not in _WRAPPER_MESSAGES
    ]
    if dbt_errors:
        reason = one_line(dbt_errors[-1])
    elif chain:
        reason = one_line(chain[-1])
    elif results:
        reason = one_line(getattr(results[0], "message", "") or "")
    else:
        reason = ""
    reason = _INLINE_NODE.sub("the SQL", reason).strip()
    return reason or "dbt gave no reason"
