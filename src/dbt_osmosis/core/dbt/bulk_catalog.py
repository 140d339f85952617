"""The columns of many relations in a few queries, through the adapter's own catalog macros.

``dbt docs generate`` reads a warehouse's columns with the ``get_catalog_relations`` macro (one query
for a list of relations) or ``get_catalog`` (one query for whole schemas); every adapter implements
them. Here they run once per schema, the schemas spread over the profile's threads, each thread on one
connection of its own. A query that fails (no rights on the catalog, an adapter without the macro) is
replaced by one ``get_columns_in_relation`` per relation of that schema, and says so once.

The catalog reports types in its own words, which are not always the words ``get_columns_in_relation``
uses (Postgres: ``character varying(10)`` against ``character varying`` with a length of 10). Each row is
therefore turned back into the ``Column`` that ``get_columns_in_relation`` would have returned, by a
translator written and checked for that adapter. A type the translator does not know, a relation the
catalog does not list (not built yet, or a name the warehouse cannot take, which its own lookup then
reports), or an adapter with no translator, sends that relation to ``get_columns_in_relation``: the
result is always what the per-relation path gives, only cheaper where the translation is known.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import deque
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = ["TRANSLATORS", "BulkColumns", "Translator", "columns_in_relations"]

K = TypeVar("K", bound=Hashable)

#: dbt sends relation lists longer than this as whole-schema queries (``MAX_SCHEMA_METADATA_RELATIONS``).
MAX_RELATIONS_PER_QUERY = 100


@dataclass
class BulkColumns(Generic[K]):
    """What :func:`columns_in_relations` found, by the caller's key."""

    #: The adapter's ``Column`` objects in warehouse order; an empty list for a relation that is not there.
    columns: dict[K, list[Any]] = field(default_factory=dict)
    #: Relations whose per-relation lookup raised, with the exception (the caller words the warning).
    errors: dict[K, BaseException] = field(default_factory=dict)
    #: One line per bulk query that failed and was replaced by per-relation lookups.
    warnings: list[str] = field(default_factory=list)
    #: The driver's reason for each failed bulk query, in the same order as ``warnings``.
    bulk_failures: list[str] = field(default_factory=list)
    #: Catalog queries sent, and relations looked up one by one.
    bulk_queries: int = 0
    per_relation_lookups: int = 0


@dataclass(frozen=True)
class Translator:
    """How one adapter's catalog rows become the ``Column`` objects ``get_columns_in_relation`` returns.

    ``column`` takes the adapter's ``Column`` class, a column name and the catalog's type string and
    returns the column, or None when it cannot say for sure (the relation is then read on its own).
    ``case_sensitive`` says whether ``get_columns_in_relation`` matches names exactly (Postgres) or
    regardless of case (DuckDB). ``empty_table_types`` lists catalog table types for which
    ``get_columns_in_relation`` finds no columns at all. ``plain_rows`` says the adapter's catalog macros
    fetch with ``run_query`` and its connections hand out DB-API cursors, so the rows can be read from
    the cursor as they are instead of through an agate table (see :func:`_catalog_rows`).
    """

    column: Callable[[Any, str, str], Any | None]
    case_sensitive: bool
    empty_table_types: frozenset[str] = frozenset()
    plain_rows: bool = False


def columns_in_relations(
    adapter: Any, relations: Mapping[K, Any], *, threads: int | None = None
) -> BulkColumns[K]:
    """The columns of every relation, as ``adapter.get_columns_in_relation`` would report them.

    ``relations`` maps a caller's key (a node's unique id, say) to a dbt relation made with
    ``adapter.Relation.create_from`` so the project's quoting policy applies. One catalog query runs per
    (database, schema); the relations a query cannot place are then read one by one. Both kinds of work
    are shared among ``threads`` connections (the profile's threads by default). The adapter must have
    its macro resolver set (a parsed manifest) and a connection open in the calling thread, which works
    too; extra workers open connections of their own, only when there is work for them.
    """
    result: BulkColumns[K] = BulkColumns()
    if not relations:
        return result
    translator = TRANSLATORS.get(str(adapter.type()))
    groups: dict[tuple[str, str], list[tuple[K, Any]]] = {}
    for key, relation in relations.items():
        schema_key = (str(relation.database or "").casefold(), str(relation.schema or "").casefold())
        groups.setdefault(schema_key, []).append((key, relation))
    lock = threading.Lock()
    if translator is None:
        tasks: list[_Task[K]] = [_Relation(key, relation) for key, relation in relations.items()]
    else:
        tasks = [_Schema(group) for group in groups.values()]
    limit = threads or _profile_threads(adapter)
    with ThreadPoolExecutor(max_workers=max(1, limit - 1), thread_name_prefix="dbt-osmosis-catalog") as pool:
        work = _Work(tasks, limit, lambda drain: pool.submit(_connected, adapter, drain))

        def run(task: _Task[K]) -> list[_Task[K]]:
            if isinstance(task, _Relation):
                _read_one(adapter, task, result, lock)
            elif translator is not None:
                left = _read_group(adapter, translator, task.group, result, lock)
                return [_Relation(key, relation) for key, relation in left]
            return []

        work.run(run)
    return result


@dataclass(frozen=True)
class _Schema(Generic[K]):
    """One schema's relations, read with one catalog query."""

    group: list[tuple[K, Any]]


@dataclass(frozen=True)
class _Relation(Generic[K]):
    """One relation, read with ``get_columns_in_relation``."""

    key: K
    relation: Any


_Task = _Schema[K] | _Relation[K]


def _connected(adapter: Any, drain: Callable[[], None]) -> None:
    # One connection per extra worker, reused for every task it takes, so a far warehouse pays the
    # connection handshake once per thread rather than once per schema or relation.
    with adapter.connection_named(f"dbt-osmosis-catalog-{threading.get_ident()}"):
        drain()


class _Work(Generic[K]):
    """The tasks of one read, shared by up to ``limit`` threads, the calling thread one of them.

    Work grows while it runs (a schema's query leaves relations to read one by one), so a thread with
    nothing to take waits while others still work, and a worker is added whenever tasks wait and the
    limit allows: a schema whose catalog query fails is read over all the threads, not in series.
    """

    def __init__(
        self, tasks: list[_Task[K]], limit: int, start: Callable[[Callable[[], None]], Future[None]]
    ) -> None:
        self._queue: deque[_Task[K]] = deque(tasks)
        self._outstanding = len(tasks)  # queued or being worked on
        self._limit = max(1, limit)
        self._start = start
        self._workers = 1  # the calling thread
        self._free = 1  # threads not working on a task: each takes the next one queued
        self._stopped = False
        self._futures: list[Future[None]] = []
        self._changed = threading.Condition()
        self._task: Callable[[_Task[K]], list[_Task[K]]] = lambda task: []

    def run(self, task: Callable[[_Task[K]], list[_Task[K]]]) -> None:
        """Work through every task until none is left; a worker's failure is raised.

        ``task`` does one task and returns the tasks it leaves (a schema's relations its query could not
        place), which join the queue as the thread that found them becomes free to take one.
        """
        self._task = task
        with self._changed:
            self._grow()
        try:
            self._drain()
        finally:
            with self._changed:
                futures = list(self._futures)
            for future in futures:
                future.exception()  # wait for every worker before the first failure is raised
        for future in futures:
            future.result()  # a failure to connect at all ends the run: nothing can be trusted then

    def _grow(self) -> None:
        # Called holding the lock: a new worker for each queued task no free thread will take, so a
        # single schema read in one query opens no connection besides the caller's.
        while self._workers < self._limit and len(self._queue) > self._free and not self._stopped:
            self._workers += 1
            self._free += 1
            self._futures.append(self._start(self._drain))

    def _drain(self) -> None:
        while True:
            with self._changed:
                while not self._queue and self._outstanding and not self._stopped:
                    self._changed.wait()
                if self._stopped or not self._queue:
                    return
                task = self._queue.popleft()
                self._free -= 1
            left: list[_Task[K]] = []
            try:
                left = self._task(task)
            except BaseException:
                with self._changed:
                    self._stopped = True  # the others end after their current task
                    self._changed.notify_all()
                raise
            finally:
                with self._changed:
                    self._outstanding += len(left) - 1
                    self._free += 1
                    self._queue.extend(left)
                    self._grow()
                    self._changed.notify_all()


def _profile_threads(adapter: Any) -> int:
    threads = getattr(getattr(adapter, "config", None), "threads", None)
    return threads if isinstance(threads, int) and threads > 0 else 1


def _read_group(
    adapter: Any,
    translator: Translator,
    group: list[tuple[K, Any]],
    result: BulkColumns[K],
    lock: threading.Lock,
) -> list[tuple[K, Any]]:
    """Read one schema's relations with one catalog query; return the relations it cannot place."""
    try:
        rows = _catalog_rows(adapter, [relation for _, relation in group], plain=translator.plain_rows)
    except Exception as exc:  # adapters raise their driver's own errors; all mean "no bulk read"
        _rollback(adapter)
        relation = group[0][1]
        with lock:
            result.bulk_queries += 1
            result.bulk_failures.append(_last_line(exc))
            result.warnings.append(
                f"Cannot read the catalog of schema {relation.schema} in one query "
                f"({_last_line(exc)}); reading its {len(group)} relation(s) one by one."
            )
        return group
    found = _place_rows(translator, adapter.Column, group, rows)
    with lock:
        result.bulk_queries += 1
        result.columns.update(found)
    return [(relation_key, relation) for relation_key, relation in group if relation_key not in found]


def _read_one(adapter: Any, task: _Relation[K], result: BulkColumns[K], lock: threading.Lock) -> None:
    try:
        columns = list(adapter.get_columns_in_relation(task.relation))
    except Exception as exc:  # kept per relation, as the per-relation path always has
        _rollback(adapter)
        with lock:
            result.errors[task.key] = exc
            result.per_relation_lookups += 1
        return
    with lock:
        result.columns[task.key] = columns
        result.per_relation_lookups += 1


def _catalog_rows(adapter: Any, relations: Sequence[Any], *, plain: bool = False) -> list[Mapping[str, Any]]:
    """One query for these relations of one schema: by relation list, or the whole schema when long.

    With ``plain`` the macro's ``run_query`` is answered with the cursor's rows as they are: dbt would
    build an agate table from them, guessing each column's type value by value, which costs more than
    the query itself (7,000 rows at 800 models) and holds the rows twice. A macro that fetches some
    other way still returns its agate table, which is read as before.
    """
    from dbt.adapters.capability import Capability

    information_schema = relations[0].information_schema_only()
    by_relations = adapter.supports(Capability.SchemaMetadataByRelations)
    override = {"run_query": _PlainRows(adapter)} if plain else None
    if by_relations and len(relations) <= MAX_RELATIONS_PER_QUERY:
        kwargs: dict[str, Any] = {"information_schema": information_schema, "relations": list(relations)}
        table = adapter.execute_macro("get_catalog_relations", kwargs=kwargs, context_override=override)
    else:
        kwargs = {"information_schema": information_schema, "schemas": {relations[0].schema}}
        table = adapter.execute_macro("get_catalog", kwargs=kwargs, context_override=override)
    if isinstance(table, _Rows):
        return table.rows
    names = list(table.column_names)
    return [dict(zip(names, row, strict=True)) for row in table.rows]


@dataclass(frozen=True)
class _Rows:
    """A query's rows by column name, as the driver returned them."""

    rows: list[Mapping[str, Any]]


class _PlainRows:
    """``run_query`` for a catalog macro: the statement dbt's own ``run_query`` sends, rows kept plain."""

    def __init__(self, adapter: Any) -> None:
        self._adapter = adapter

    def __call__(self, sql: str) -> _Rows:
        # dbt's run_query runs a statement without opening a transaction first; so does this.
        _, cursor = self._adapter.connections.add_query(sql, auto_begin=False)
        names = [str(column[0]) for column in cursor.description or ()]
        return _Rows([dict(zip(names, row, strict=True)) for row in cursor.fetchall()])


def _place_rows(
    translator: Translator, column_class: Any, group: list[tuple[K, Any]], rows: list[Mapping[str, Any]]
) -> dict[K, list[Any]]:
    """The columns of each relation the rows describe for certain; the rest are left out."""
    tables: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        tables.setdefault((str(row["table_schema"]), str(row["table_name"])), []).append(row)
    folded: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, name in tables:
        folded.setdefault((schema.casefold(), name.casefold()), []).append((schema, name))
    placed: dict[K, list[Any]] = {}
    for relation_key, relation in group:
        wanted = (str(relation.schema), str(relation.identifier))
        if wanted in tables:
            table_rows = tables[wanted]
        elif translator.case_sensitive:
            continue  # not there, or a name the warehouse cannot take: its own lookup says which
        else:
            candidates = folded.get((wanted[0].casefold(), wanted[1].casefold()), [])
            if len(candidates) != 1:
                # Two tables differing only in case, or none: the relation's own lookup decides, and
                # reports a name the warehouse cannot quote as today's path does (missing costs a query).
                continue
            table_rows = tables[candidates[0]]
        columns = _translate(translator, column_class, table_rows)
        if columns is not None:
            placed[relation_key] = columns
    return placed


def _translate(translator: Translator, column_class: Any, rows: list[Mapping[str, Any]]) -> list[Any] | None:
    if rows and str(rows[0].get("table_type") or "") in translator.empty_table_types:
        return []
    columns: list[Any] = []
    for row in sorted(rows, key=lambda r: int(r["column_index"])):
        column = translator.column(column_class, str(row["column_name"]), str(row["column_type"]))
        if column is None:
            return None
        columns.append(column)
    return columns


def _rollback(adapter: Any) -> None:
    # A failed statement leaves a Postgres transaction aborted; the next statement needs a clean one.
    with contextlib.suppress(Exception):
        adapter.connections.rollback_if_open()


_HEADER = re.compile(r"^(\w+ )?(Runtime|Database|Compilation|Internal) Error( in .*)?$")


def _last_line(exc: BaseException) -> str:
    # dbt's errors open with a header ("Database Error in macro ...") and may end with the macro call
    # chain ("> called by macro ..."); the driver's or the macro's own words are the line between.
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    meaningful = [line for line in lines if not line.startswith(">") and not _HEADER.match(line)]
    return (meaningful or lines or [type(exc).__name__])[-1]


# -- translators -----------------------------------------------------------------------------------------


def _duckdb_column(column_class: Any, name: str, catalog_type: str) -> Any:
    # duckdb_columns().data_type and DESCRIBE's column_type are the same string; dbt-duckdb's
    # get_columns_in_relation passes no length, precision or scale beside it.
    return column_class(name, catalog_type, None, None, None)


#: Postgres types whose catalog name (format_type) is the information schema's name, with the
#: precision and scale ``information_schema.columns`` reports for them.
_POSTGRES_PLAIN: dict[str, tuple[int | None, int | None]] = {
    "smallint": (16, 0),
    "integer": (32, 0),
    "bigint": (64, 0),
    "real": (24, None),
    "double precision": (53, None),
    "numeric": (None, None),
    **dict.fromkeys(
        [
            "text",
            "character varying",
            "boolean",
            "date",
            "time without time zone",
            "time with time zone",
            "timestamp without time zone",
            "timestamp with time zone",
            "interval",
            "uuid",
            "json",
            "jsonb",
            "bytea",
            "money",
            "inet",
            "cidr",
            "macaddr",
            "macaddr8",
            '"char"',
            "name",
            "oid",
            "xml",
            "tsvector",
            "tsquery",
            "point",
            "line",
            "lseg",
            "box",
            "path",
            "polygon",
            "circle",
            "int4range",
            "int8range",
            "numrange",
            "tsrange",
            "tstzrange",
            "daterange",
            "pg_lsn",
        ],
        (None, None),
    ),
}

_POSTGRES_LENGTH = re.compile(r"^(character varying|character|bit varying|bit)\((\d+)\)$")
_POSTGRES_NUMERIC = re.compile(r"^numeric\((\d+),(\d+)\)$")
_POSTGRES_TIME = re.compile(r"^(timestamp|time)\(\d+\) (with|without) time zone$")
_POSTGRES_INTERVAL = re.compile(r"^interval( |\(|$)")


def _postgres_column(column_class: Any, name: str, catalog_type: str) -> Any | None:
    """``format_type(atttypid, atttypmod)`` back into ``information_schema.columns``'s fields.

    User-defined types (enums, domains, composites) print under their own names, which say nothing of
    what the information schema reports (``USER-DEFINED``, or a domain's base type): None for those.
    """
    if catalog_type.endswith("[]"):
        return column_class(name, "ARRAY", None, None, None)
    if catalog_type in _POSTGRES_PLAIN:
        precision, scale = _POSTGRES_PLAIN[catalog_type]
        return column_class(name, catalog_type, None, precision, scale)
    if match := _POSTGRES_LENGTH.match(catalog_type):
        return column_class(name, match.group(1), int(match.group(2)), None, None)
    if match := _POSTGRES_NUMERIC.match(catalog_type):
        return column_class(name, "numeric", None, int(match.group(1)), int(match.group(2)))
    if match := _POSTGRES_TIME.match(catalog_type):
        return column_class(name, f"{match.group(1)} {match.group(2)} time zone", None, None, None)
    if _POSTGRES_INTERVAL.match(catalog_type):
        return column_class(name, "interval", None, None, None)
    return None


#: Adapters whose catalog rows are translated; others read each relation on its own, in parallel.
TRANSLATORS: dict[str, Translator] = {
    "duckdb": Translator(_duckdb_column, case_sensitive=False, plain_rows=True),
    # information_schema.columns leaves out materialized views, so get_columns_in_relation finds none.
    "postgres": Translator(
        _postgres_column, case_sensitive=True, empty_table_types=frozenset({"MATERIALIZED VIEW"})
    ),
}
