"""The throwaway PostgreSQL server starts, answers psycopg2, and leaves nothing behind."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import psycopg2
import pytest

from tests.support import pgserver
from tests.support.pgserver import PostgresServer, PostgresUnavailable


def _accepts(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def test_starts_answers_and_stops() -> None:
    with PostgresServer() as pg:
        assert pg.running
        assert pg.host == "127.0.0.1"
        assert pg.user == "postgres"
        root = pg.socket_dir
        dsn = pg.create_database("osmosis test")  # a name that needs quoting
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("select current_database(), current_user, current_setting('server_version_num')")
            database, user, version = cur.fetchone()
        conn.close()
        assert (database, user) == ("osmosis test", "postgres")
        assert int(version) >= 150000
        assert (root / f".s.PGSQL.{pg.port}").exists(), "the unix socket lives in the temporary folder"
        port = pg.port
    assert not pg.running
    assert not root.exists()
    assert not _accepts("127.0.0.1", port)


def test_stops_and_cleans_up_when_the_block_raises() -> None:
    server = PostgresServer()
    with pytest.raises(RuntimeError, match="boom"), server:
        root, port = server.socket_dir, server.port
        raise RuntimeError("boom")
    assert not server.running
    assert not root.exists()
    assert not _accepts("127.0.0.1", port)
    server.stop()  # a second stop is harmless


def test_listens_on_loopback_only() -> None:
    with PostgresServer() as pg:
        settings = pg.psql("show listen_addresses").strip()
    assert settings == "127.0.0.1"


def test_missing_binaries_say_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pgserver, "_bindir_candidates", lambda: [tmp_path])
    with pytest.raises(PostgresUnavailable) as info:
        pgserver.find_bindir()
    message = str(info.value)
    assert str(tmp_path) in message
    assert "apt-get install -y postgresql-15" in message
    assert "pip install pgserver" in message


def test_a_server_that_cannot_start_reports_its_log_and_cleans_up(tmp_path: Path) -> None:
    # An unknown setting makes the postmaster exit at once; the error quotes its log.
    server = PostgresServer(settings=[("no_such_setting", "1")])
    with pytest.raises(PostgresUnavailable, match="no_such_setting"):
        server.start()
    assert not server.running
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.socket_dir


def test_find_bindir_honours_pg_bindir(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pgserver.find_bindir()
    monkeypatch.setenv("PG_BINDIR", os.fspath(real))
    assert pgserver._bindir_candidates()[0] == real
