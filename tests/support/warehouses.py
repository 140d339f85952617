"""The two warehouses adapter-dependent tests run on: DuckDB in process, and a real PostgreSQL server.

``postgres_server`` starts one PostgreSQL per test session (per worker under xdist, about a second);
each project gets a database of its own on it, so tests never see each other's tables.
``warehouse_profile`` writes the profile for either warehouse, so one test body covers both.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .pgserver import PostgresServer

#: The adapters a ``warehouse``-parametrized test runs on.
WAREHOUSES = ("duckdb", "postgres")

_databases = itertools.count(1)


@dataclass(frozen=True)
class Warehouse:
    """Which warehouse a test runs on, and the server behind it (None for DuckDB)."""

    name: str
    server: PostgresServer | None = None

    def profile(self, profile_name: str = "test_project", *, threads: int = 1, schema: str = "main") -> str:
        """A profiles.yml for this warehouse; on Postgres each call gets a fresh database.

        ``schema`` is the target schema; DuckDB's default is ``main``, which Postgres gets too so that
        sources declared in ``main`` resolve the same way on both.
        """
        if self.server is None:
            return textwrap.dedent(f"""\
                {profile_name}:
                  target: dev
                  outputs:
                    dev:
                      type: duckdb
                      path: warehouse.duckdb
                      schema: {schema}
                      threads: {threads}
                """)
        database = f"osmosis_{next(_databases)}"
        self.server.create_database(database)
        return textwrap.dedent(f"""\
            {profile_name}:
              target: dev
              outputs:
                dev:
                  type: postgres
                  host: {self.server.host}
                  port: {self.server.port}
                  user: {self.server.user}
                  password: unused
                  dbname: {database}
                  schema: {schema}
                  threads: {threads}
            """)

    def database(self, root: Path) -> str:
        """The Postgres database a project's profile (written by :meth:`profile`) points at."""
        for line in (root / "profiles.yml").read_text().splitlines():
            if line.strip().startswith("dbname:"):
                return line.split(":", 1)[1].strip()
        raise LookupError(f"{root / 'profiles.yml'} names no Postgres database")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session, stopped (and its folder deleted) at the end."""
    with PostgresServer() as server:
        yield server


@pytest.fixture(params=WAREHOUSES)
def warehouse(request: pytest.FixtureRequest) -> Warehouse:
    """DuckDB, then PostgreSQL: a test that takes this fixture runs once on each."""
    if request.param == "duckdb":
        return Warehouse("duckdb")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return Warehouse("postgres", server)
