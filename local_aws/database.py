"""
PostgreSQL stand-ins for what the stage has on AWS: a server with RDS's limits, and RDS Proxy.

`ThrowawayPostgres` is a PostgreSQL server of its own in a temporary folder, with its own
`max_connections` (a small RDS instance) and RDS's default time zone, UTC. `PgBouncer` stands
where RDS Proxy stands: in front of one database, in transaction pooling mode, so that a
server connection serves one transaction of one client at a time and goes back to the pool;
like an RDS Proxy that requires TLS, it accepts clients over TLS only.

Both refuse to run as root, so as root they run as the `postgres` user. Both are Debian
packages (postgresql, pgbouncer), installed by `install` when missing and allowed.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import environ
import psycopg2

# PostgreSQL's default: connections kept for superusers, so the site's role gets max_connections less these.
SUPERUSER_RESERVED_CONNECTIONS = 3


class Unavailable(Exception):
    """A program these stand-ins need is not installed and could not be."""


def install(package, program):
    """The path of `program`, installing the Debian `package` first when it is missing and we may."""
    found = shutil.which(program) or shutil.which(program, path="/usr/sbin")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    try:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, capture_output=True, timeout=300)
        subprocess.run(
            [*sudo, "apt-get", "install", "-y", "-qq", package], check=True, capture_output=True, timeout=600
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise Unavailable(f"{program} is not installed (apt-get install {package}): {error}") from error
    found = shutil.which(program) or shutil.which(program, path="/usr/sbin")
    if not found:
        raise Unavailable(f"{program} is still missing after apt-get install {package}")
    return found


def unused_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(command):
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _own_folder(prefix):
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    return folder


def _wait_for_port(port, process, what, log):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    details = log.read_text() if log.exists() else ""
    raise Unavailable(f"{what} did not start on port {port}:\n{details}")


def postgres_bin():
    """The folder of PostgreSQL's server programs (initdb, pg_ctl), installing them when missing."""
    found = shutil.which("initdb") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1:]), None)
    if found is None:
        install("postgresql", "psql")
        found = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1:]), None)
    if found is None:
        raise Unavailable("PostgreSQL's initdb is not installed (apt-get install postgresql)")
    return Path(found).resolve().parent


class ThrowawayPostgres:
    """A PostgreSQL server in a temporary folder, with a database `name` owned by a login role `user`.

    The role is not a superuser, so it gets max_connections less the superuser_reserved_connections
    (`connection_limit`), as the site's own role does on RDS. `settings` are more server settings
    (log_statement="all", say).
    """

    def __init__(self, *, name="todo", user="todo", max_connections=100, settings=None):
        self.bin_dir = postgres_bin()
        self.folder = _own_folder("postgres-")
        self.port = unused_port()
        self.name = name
        self.user = user
        self.max_connections = max_connections
        self.settings = {
            "max_connections": max_connections,
            "superuser_reserved_connections": SUPERUSER_RESERVED_CONNECTIONS,
            "timezone": "UTC",
            "fsync": "off",
            **(settings or {}),
        }
        self.log = self.folder / "log"
        self.url = f"postgres://{user}@127.0.0.1:{self.port}/{name}"
        self.admin_url = f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    @property
    def connection_limit(self):
        return self.max_connections - self.settings["superuser_reserved_connections"]

    def run(self, program, *args):
        command = _as_postgres([str(self.bin_dir / program), *args])
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def create(self):
        self.run("initdb", "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust", "--no-sync")
        self.start()
        self.psql(f'CREATE ROLE "{self.user}" LOGIN', database="postgres")
        self.psql(f'CREATE DATABASE "{self.name}" OWNER "{self.user}"', database="postgres")
        return self

    def psql(self, statement, *, database=None):
        self.run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database or self.name,
                 "-v", "ON_ERROR_STOP=1", "-qc", statement)  # fmt: skip

    def start(self):
        options = " ".join(f"-c {name}={value}" for name, value in self.settings.items())
        options += f" -p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.pg_ctl("-l", str(self.log), "-o", options, "-w", "start")

    def stop(self):
        self.pg_ctl("-m", "fast", "-w", "stop")

    def pg_ctl(self, *args):
        self.run("pg_ctl", "-D", str(self.folder / "data"), *args)

    def remove(self):
        if (self.folder / "data" / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def sampled_connections(self):
        """A context manager counting the server connections of the site's role while its block runs."""
        return ConnectionSampler(self)

    def __enter__(self):
        return self.create()

    def __exit__(self, *exc_info):
        self.remove()


class ConnectionSampler:
    """The server connections a role holds, sampled every 10 ms from pg_stat_activity: `peak` and `samples`, and
    `longest_idle_in_transaction_ms`, the longest any of them was seen sitting in an open transaction between
    statements (the time a transaction pooler cannot give that connection to anyone else).

    It samples as the superuser, whose connection takes one of the slots reserved for superusers.
    """

    QUERY = """
        SELECT count(*), coalesce(max(extract(epoch FROM clock_timestamp() - state_change) * 1000)
                                  FILTER (WHERE state LIKE 'idle in transaction%%'), 0)
        FROM pg_stat_activity WHERE usename = %s
    """

    def __init__(self, server, interval=0.01):
        self.server = server
        self.interval = interval
        self.samples = []  # (seconds since the start, connections)
        self.longest_idle_in_transaction_ms = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample)

    @property
    def peak(self):
        return max((count for _, count in self.samples), default=0)

    def _sample(self):
        started = time.monotonic()
        with contextlib.closing(psycopg2.connect(self.server.admin_url)) as connection:
            connection.autocommit = True
            with connection.cursor() as cursor:
                while not self._done.wait(self.interval):
                    cursor.execute(self.QUERY, [self.server.user])
                    count, idle_ms = cursor.fetchone()
                    self.samples.append((time.monotonic() - started, count))
                    self.longest_idle_in_transaction_ms = max(self.longest_idle_in_transaction_ms, float(idle_ms))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._done.set()
        self._thread.join()


class PgBouncer:
    """PgBouncer in transaction pooling mode between clients and the database of `database_url`.

    At most `pool_size` server connections, however many clients (up to `max_clients`) connect;
    a client waits for a free server connection rather than failing. Clients must use TLS
    (`url` says sslmode=require), as with an RDS Proxy that requires it.
    """

    def __init__(self, database_url, *, pool_size=15, max_clients=1000):
        self.program = install("pgbouncer", "pgbouncer")
        self.server = environ.Env.db_url_config(database_url)
        self.pool_size = pool_size
        self.max_clients = max_clients
        self.folder = _own_folder("pgbouncer-")
        self.port = unused_port()
        self.log = self.folder / "pgbouncer.log"
        self.process = None
        parts = urlsplit(database_url)
        self.url = parts._replace(
            netloc=f"{parts.netloc.rpartition('@')[0]}@127.0.0.1:{self.port}".lstrip("@"),
            query=urlencode({"sslmode": "require"}),
        ).geturl()

    def _configure(self):
        server = self.server
        key, certificate = self.folder / "server.key", self.folder / "server.crt"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-keyout", str(key), "-out", str(certificate)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        target = f"host={server['HOST'] or '127.0.0.1'} port={server['PORT'] or 5432} dbname={server['NAME']}"
        if server["PASSWORD"]:
            target += f" password={server['PASSWORD']}"
        users = self.folder / "users.txt"
        users.write_text(f'"{server["USER"]}" ""\n')
        settings = {
            "listen_addr": "127.0.0.1",
            "listen_port": self.port,
            "unix_socket_dir": "",
            "auth_type": "trust",
            "auth_file": users,
            "pool_mode": "transaction",
            "default_pool_size": self.pool_size,
            "max_db_connections": self.pool_size,
            "max_client_conn": self.max_clients,
            # A client waits this long at most for a server connection, as with the ConnectionBorrowTimeout the
            # README gives RDS Proxy: then its request fails with the site's 503, before API Gateway's 29 s.
            "query_wait_timeout": 20,
            "client_tls_sslmode": "require",
            "client_tls_key_file": key,
            "client_tls_cert_file": certificate,
            "logfile": self.log,
            "log_connections": 0,
            "log_disconnections": 0,
        }
        config = self.folder / "pgbouncer.ini"
        config.write_text(
            f"[databases]\n{server['NAME']} = {target}\n\n[pgbouncer]\n"
            + "".join(f"{name} = {value}\n" for name, value in settings.items())
        )
        if os.geteuid() == 0:
            for path in (key, certificate, users, config):
                shutil.chown(path, "postgres", "postgres")
        return config

    def start(self):
        config = self._configure()
        self.process = subprocess.Popen(
            _as_postgres([self.program, "-q", str(config)]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for_port(self.port, self.process, "PgBouncer", self.log)
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
