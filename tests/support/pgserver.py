"""A throwaway PostgreSQL server for tests: started from the machine's binaries, no Docker.

Use it as a context manager; leaving the block (normally or by an exception) stops the server and deletes
its folder::

    with PostgresServer() as pg:
        dsn = pg.create_database("osmosis")
        ...  # connect to pg.host:pg.port as pg.user, no password (trust authentication)

The binaries are looked up in this order: ``$PG_BINDIR``, ``pg_config --bindir``, ``initdb`` on ``PATH``,
Debian's ``/usr/lib/postgresql/<version>/bin`` (newest first), and the binaries bundled in the ``pgserver``
wheel when that package is installed. When none is found, :class:`PostgresUnavailable` says how to
install them.

PostgreSQL refuses to run as root, so as root the data folder is handed to the ``postgres`` account (or
``nobody`` when there is none) and ``initdb`` and the server run as that account, the same as
``runuser -u postgres -- initdb ...``. The server is a direct child of this process that Linux stops
with SIGKILL should this process die without cleaning up (``PR_SET_PDEATHSIG``), so no test run, even a
killed one, leaves a server behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

__all__ = ["PostgresServer", "PostgresUnavailable", "find_bindir"]

#: What to run to get the server binaries, by route; shown when none are found.
INSTALL_HINT = (
    "install the PostgreSQL server binaries: `apt-get install -y postgresql-15` (Debian/Ubuntu, as root), "
    "or `pip install pgserver` (a wheel that bundles PostgreSQL 16 binaries), or set PG_BINDIR to a "
    "folder holding initdb and postgres"
)

#: Settings that trade durability for speed: a test database is thrown away anyway.
FAST_SETTINGS: tuple[tuple[str, str], ...] = (
    ("fsync", "off"),
    ("synchronous_commit", "off"),
    ("full_page_writes", "off"),
    ("max_connections", "50"),
    ("shared_buffers", "32MB"),
    ("max_wal_size", "256MB"),
    ("log_min_messages", "warning"),
    ("logging_collector", "off"),
)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the server would not start; the text says what to do."""


def find_bindir() -> Path:
    """The folder holding ``initdb`` and ``postgres``; :class:`PostgresUnavailable` if there is none."""
    looked: list[str] = []
    for candidate in _bindir_candidates():
        looked.append(str(candidate))
        if _is_executable(candidate / "initdb") and _is_executable(candidate / "postgres"):
            return candidate
    where = ", ".join(dict.fromkeys(looked)) or "nowhere (no pg_config, no initdb on PATH)"
    raise PostgresUnavailable(f"No PostgreSQL server binaries found (looked in: {where}); {INSTALL_HINT}.")


def _bindir_candidates() -> list[Path]:
    found: list[Path] = []
    if env := os.environ.get("PG_BINDIR"):
        found.append(Path(env))
    if pg_config := shutil.which("pg_config"):
        # Debian's pg_config belongs to libpq-dev and names the server folder even when the server
        # package is missing, so the folder is checked for initdb rather than trusted.
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            found.append(Path(out.stdout.strip()))
    if initdb := shutil.which("initdb"):
        found.append(Path(initdb).resolve().parent)
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted(
            (p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: int(p.name), reverse=True
        )
        found.extend(p / "bin" for p in versions)
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        found.extend(Path(loc) / "pginstall" / "bin" for loc in spec.submodule_search_locations)
    return found


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now (the caller retries if another process takes it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _libpq_value(value: str) -> str:
    # libpq's keyword=value syntax: quote a value with spaces or quotes, escaping \\ and '.
    if value and not any(ch in value for ch in " '\\"):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgresServer:
    """One PostgreSQL server in a temporary folder, on 127.0.0.1 and a free port, trust authentication."""

    def __init__(
        self,
        *,
        bindir: Path | None = None,
        base_dir: Path | None = None,
        start_timeout: float = 30.0,
        settings: Sequence[tuple[str, str]] = FAST_SETTINGS,
    ) -> None:
        self.bindir = bindir or find_bindir()
        self.host = "127.0.0.1"
        self.port = 0
        #: The database superuser initdb creates; the same name whatever OS account runs the server.
        self.user = "postgres"
        self.start_seconds = 0.0
        self._base_dir = base_dir
        self._start_timeout = start_timeout
        self._settings = tuple(settings)
        self._root: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._account = _server_account()

    # -- public surface ------------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        """The cluster's data folder."""
        return self._require_root() / "data"

    @property
    def socket_dir(self) -> Path:
        """The folder holding the server's unix socket."""
        return self._require_root()

    @property
    def log_path(self) -> Path:
        """The server's log file, quoted in errors when it does not start."""
        return self._require_root() / "server.log"

    @property
    def dsn(self) -> str:
        """A libpq connection string for the ``postgres`` database (psycopg2 takes it as is)."""
        return self.dsn_for("postgres")

    def dsn_for(self, dbname: str) -> str:
        """A libpq connection string for ``dbname`` on this server."""
        user, name = _libpq_value(self.user), _libpq_value(dbname)
        return f"host={self.host} port={self.port} user={user} dbname={name}"

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; stops and cleans up on any failure."""
        if self._process is not None:
            raise RuntimeError("this PostgresServer is already started")
        started = time.perf_counter()
        try:
            self._make_root()
            self._initdb()
            self._launch_with_retries()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.perf_counter() - started
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown, then SIGKILL if it lingers) and delete its folder; idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            _stop_process(process)
        root, self._root = self._root, None
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """Create database ``name`` (owned by :attr:`user`) and return its connection string."""
        self.psql(f"CREATE DATABASE {_quote_ident(name)}")
        return self.dsn_for(name)

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run ``sql`` through ``psql`` over the unix socket; the output as text, or an error with psql's."""
        if not self.running:
            raise RuntimeError("the PostgreSQL server is not running")
        psql = self.bindir / "psql"
        command = [
            str(psql if _is_executable(psql) else "psql"),
            *("-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"),
            *("-h", str(self.socket_dir), "-p", str(self.port), "-U", self.user, "-d", dbname),
            *("-c", sql),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __del__(self) -> None:
        # A forgotten stop() still ends the server when the object goes away.
        with contextlib.suppress(Exception):
            self.stop()

    # -- steps -----------------------------------------------------------------------------------------

    def _require_root(self) -> Path:
        if self._root is None:
            raise RuntimeError("the PostgreSQL server is not started")
        return self._root

    def _make_root(self) -> None:
        base = self._base_dir or Path(tempfile.gettempdir())
        # The socket path has a 107-byte limit, so the folder name stays short.
        self._root = Path(tempfile.mkdtemp(prefix="pg-", dir=base))
        if self._account is not None:
            _check_reachable(self._root, self._account.pw_name)
            os.chown(self._root, self._account.pw_uid, self._account.pw_gid)

    def _initdb(self) -> None:
        command = [
            str(self.bindir / "initdb"),
            *("-D", str(self.data_dir), "-U", self.user, "-A", "trust"),
            *("-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"),
        ]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=self._start_timeout * 4,
            check=False,
            env=_child_env(),
            user=_uid(self._account),
            group=_gid(self._account),
            extra_groups=_groups(self._account),
        )
        if result.returncode != 0:
            output = (result.stderr or result.stdout).strip()
            raise PostgresUnavailable(f"initdb failed ({result.returncode}): {output}")

    def _launch_with_retries(self, attempts: int = 3) -> None:
        for attempt in range(attempts):
            self.port = free_port(self.host)
            try:
                self._launch()
                return
            except PostgresUnavailable:
                # Another process may have taken the port between the probe and the bind.
                if attempt == attempts - 1:
                    raise

    def _launch(self) -> None:
        command = [
            str(self.bindir / "postgres"),
            *("-D", str(self.data_dir), "-p", str(self.port)),
            *("-c", f"listen_addresses={self.host}", "-c", f"unix_socket_directories={self.socket_dir}"),
        ]
        for key, value in self._settings:
            command += ["-c", f"{key}={value}"]
        log = open(self.log_path, "ab")  # noqa: SIM115 -- the child keeps it; closed right after the fork
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_child_env(),
                preexec_fn=_die_with_parent,
                user=_uid(self._account),
                group=_gid(self._account),
                extra_groups=_groups(self._account),
            )
        finally:
            log.close()
        self._wait_ready()

    def _wait_ready(self) -> None:
        """Wait until ``postmaster.pid`` says "ready", as ``pg_ctl -w`` does, polling every few ms."""
        if self._process is None:
            raise RuntimeError("the PostgreSQL server process was not started")
        pid_file = self.data_dir / "postmaster.pid"
        deadline = time.monotonic() + self._start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise PostgresUnavailable(f"the PostgreSQL server exited at start: {self._log_tail()}")
            with contextlib.suppress(OSError):
                lines = pid_file.read_text().splitlines()
                # Line 8 of postmaster.pid is the server's status once it has one.
                if len(lines) >= 8 and lines[7].strip() == "ready":
                    return
            time.sleep(0.005)
        _stop_process(self._process)
        self._process = None
        raise PostgresUnavailable(
            f"the PostgreSQL server was not ready in {self._start_timeout:.0f} s: {self._log_tail()}"
        )

    def _log_tail(self, lines: int = 5) -> str:
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(errors="replace").strip().splitlines()
            return " | ".join(text[-lines:]) or "(empty log)"
        return "(no log)"


# -- process helpers ---------------------------------------------------------------------------------


def _server_account() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as: none (this one) unless this process is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailable(
        "PostgreSQL refuses to run as root and there is no 'postgres' or 'nobody' account to run it as; "
        "create one (`useradd -r postgres`) or run the tests as another user."
    )


# subprocess switches to these in the child before exec, as `runuser -u postgres --` would; None keeps
# this process's own account.
def _uid(account: pwd.struct_passwd | None) -> int | None:
    return None if account is None else account.pw_uid


def _gid(account: pwd.struct_passwd | None) -> int | None:
    return None if account is None else account.pw_gid


def _groups(account: pwd.struct_passwd | None) -> list[int] | None:
    return None if account is None else []


def _check_reachable(folder: Path, account: str) -> None:
    for parent in folder.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            raise PostgresUnavailable(
                f"{parent} is closed to other users, so the '{account}' account that runs PostgreSQL "
                f"cannot reach {folder}; pass base_dir= a folder under /tmp."
            )


def _child_env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "TZ", "LD_LIBRARY_PATH"}}
    return {**keep, "LC_ALL": "C", "LANG": "C"}


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Runs in the child after the switch of account (which would clear it): the kernel sends SIGKILL to
    # the server when the process that started it dies, so a killed test run leaves no server behind.
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _stop_process(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    # SIGINT is PostgreSQL's "fast" shutdown: clients are disconnected, no checkpoint wait for them.
    sends: list[Callable[[], None]] = [lambda: process.send_signal(signal.SIGINT), process.kill]
    for send in sends:
        with contextlib.suppress(ProcessLookupError):
            send()
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
    process.wait()
