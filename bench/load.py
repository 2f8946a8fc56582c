"""
`make load`: a burst of visitors against the production zip behind `make lambda-local`, in
several configurations side by side, on a small PostgreSQL server of its own.

For each configuration it starts a fresh PostgreSQL server with `--max-connections` (by default
a small RDS instance scaled to this machine; the site's role gets all but the superusers'
share), serves the production package with lambda-local in that configuration, and runs Locust
(bench/locustfile.py) headless: virtual users ramping to three times the role's connection
limit, each running the signed-in journey with think times. It measures requests per second,
percentiles per endpoint, answers by status, cold starts and peak instances (lambda-local's
figures), peak server connections (pg_stat_activity, every 10 ms) and the writes the site
acknowledged that the database does not hold. It writes docs/LOAD.md and docs/load.png and ends
with the headline lines.
"""

import argparse
import contextlib
import csv
import datetime
import json
import math
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from deploy.build import machine_architecture, output_path
from local_aws.database import SUPERUSER_RESERVED_CONNECTIONS, ThrowawayPostgres
from local_aws.lambda_local import background as lambda_local
from local_aws.stage import BASE_DIR, Stage

from . import load_report, quoted

DOCS = BASE_DIR / "docs"
STAGE = "production"
# Connections the site's role leaves to operators (psql, a migration run by hand) when it connects straight.
OPERATOR_CONNECTIONS = 2
# Clients flooding the log-in page, each from an address of its own, in the flood configuration.
FLOODERS = 24
# Every server counts its statements and their execution time (an extension of Debian's postgresql-15), with room
# for many more distinct statements than the site has, so that none is evicted during a run.
STATEMENT_STATISTICS = {"shared_preload_libraries": "pg_stat_statements", "pg_stat_statements.max": 10000}
# The statements of the site's role since the last reset, in all and those that only read (a SELECT that locks no
# row, which a replica could answer): their number and execution time. The harness's own queries are not among
# them: the connection sampler and these run as the superuser, and the lost-writes check runs after the reading.
SITE_STATEMENTS = r"""
    SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time), 0),
           coalesce(sum(calls) FILTER (WHERE reads), 0), coalesce(sum(total_exec_time) FILTER (WHERE reads), 0)
    FROM (SELECT calls, total_exec_time,
                 query ~* '^\s*select\M' AND query !~* '\mfor\s+(no\s+key\s+)?(update|share)\M' AS reads
          FROM pg_stat_statements
          WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = %s)
            AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS site
"""


@dataclass
class Configuration:
    name: str
    label: str
    proxy_pool: int = 0
    concurrency: int = 0
    environment: dict = field(default_factory=dict)
    # Flooders beside the visitors (see bench/locustfile.py): log-ins to random addresses from many clients.
    flooders: int = 0

    def options(self):
        options = ["--proxy-pool", str(self.proxy_pool), "--concurrency", str(self.concurrency)]
        for name, value in self.environment.items():
            options += ["--environment", f"{name}={value}"]
        return options


def configurations(connection_limit, stage):
    """Zappa's defaults, a cap alone, and production, with and without persistent connections."""
    budget = connection_limit - OPERATOR_CONNECTIONS
    persistent = stage.config["aws_environment_variables"]["CONN_MAX_AGE"]
    production = stage.config["lambda_concurrency"]
    return [
        Configuration("zappa_defaults", f"Zappa's defaults: straight to PostgreSQL, no cap, CONN_MAX_AGE={persistent}"),
        Configuration(
            "zappa_defaults_conn_max_age_0",
            "Zappa's defaults with CONN_MAX_AGE=0",
            environment={"CONN_MAX_AGE": "0"},
        ),
        Configuration(
            "reserved_concurrency",
            f"reserved concurrency alone: at most {budget} instances, straight to PostgreSQL",
            concurrency=budget,
        ),
        Configuration(
            "production",
            f"production: RDS Proxy stand-in ({budget} connections), at most {production} instances, "
            f"CONN_MAX_AGE={persistent}",
            proxy_pool=budget,
            concurrency=production,
        ),
        Configuration(
            "production_conn_max_age_0",
            "production with CONN_MAX_AGE=0",
            proxy_pool=budget,
            concurrency=production,
            environment={"CONN_MAX_AGE": "0"},
        ),
        Configuration(
            "production_login_flood",
            f"production, and a flood of log-ins from {FLOODERS} more clients",
            proxy_pool=budget,
            concurrency=production,
            flooders=FLOODERS,
        ),
    ]


def entry_paths():
    """The paths the visitors start from, by URL name under the stage's prefix; the pages give every other."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_site.settings.base")
    import django
    from django.test.utils import override_script_prefix
    from django.urls import reverse

    django.setup()
    with override_script_prefix(f"/{STAGE}/"):
        return {"signup": reverse("signup"), "login": reverse("login"), "lists": reverse("lists:index"),
                "today": reverse("today")}  # fmt: skip


def run_locust(urls, results, csv_prefix, *, users, spawn_rate, seconds, flooders=0):
    import subprocess

    environment = {
        **os.environ,
        "LOAD_URLS": json.dumps(urls),
        "LOAD_RESULTS": str(results),
        "LOAD_FLOODERS": str(flooders),
    }
    classes = ["Visitor", "Flooder"] if flooders else ["Visitor"]
    command = [
        sys.executable, "-m", "locust", "-f", str(BASE_DIR / "bench" / "locustfile.py"), *classes, "--headless",
        "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{seconds}s",
        "--csv", str(csv_prefix), "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    subprocess.run(command, cwd=BASE_DIR, env=environment, check=True, timeout=seconds + 120)
    return json.loads(results.read_text())


def endpoint_figures(csv_prefix):
    """{endpoint: {requests, failures, rps, p50, p95, p99}} from Locust's CSV, "Aggregated" included."""
    figures = {}
    with open(f"{csv_prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            figures[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                **{key: float(row[column] or 0) for key, column in (("p50", "50%"), ("p95", "95%"), ("p99", "99%"))},
            }
    return figures


def percentiles(milliseconds):
    """p50, p95 and p99 (nearest rank) of a list of durations."""
    ordered = sorted(milliseconds)
    if not ordered:
        return {"p50": 0, "p95": 0, "p99": 0}
    return {f"p{q}": ordered[min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1)] for q in (50, 95, 99)}


def after_the_burst(requests):
    """The requests answered after the last visitor signed up: their number, requests per second and percentiles."""
    signed_up = [moment for moment, name, _, status in requests if name == "sign up" and status == 302]
    since = max(signed_up, default=0)
    later = [(moment, milliseconds) for moment, _, milliseconds, _ in requests if moment > since]
    span = max((moment for moment, _ in later), default=since) - since
    figures = {"since": since, "requests": len(later), "rps": len(later) / span if span else 0}
    return {**figures, **percentiles([milliseconds for _, milliseconds in later])}


@contextlib.contextmanager
def superuser_cursor(database):
    with contextlib.closing(psycopg2.connect(database.admin_url)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            yield cursor


def reset_statements(database):
    """Forget the statements counted so far (the migrations'), so that the next ones counted are the visitors'."""
    with superuser_cursor(database) as cursor:
        cursor.execute("SELECT pg_stat_statements_reset()")


def site_statements(database):
    """The statements the site's role ran since the reset: how many, and their execution time, in all and of reads."""
    with superuser_cursor(database) as cursor:
        cursor.execute(SITE_STATEMENTS, [database.user])
        statements, exec_ms, reads, read_ms = cursor.fetchone()
    return {"statements": int(statements), "exec_ms": float(exec_ms), "read_statements": int(reads),
            "read_ms": float(read_ms)}  # fmt: skip


def per_request(statements, requests):
    """The statements, and their milliseconds of execution (in all, and of reads), per request Locust counted."""
    share = 1 / requests if requests else 0
    return {
        **statements,
        "statements_per_request": statements["statements"] * share,
        "db_ms_per_request": statements["exec_ms"] * share,
        "read_ms_per_request": statements["read_ms"] * share,
    }


def lost_writes(database_url, results):
    """Acknowledged writes the database does not hold: accounts missing, todos missing, changed or not deleted."""
    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT email FROM accounts_user")
        emails = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT todo.id, todo.title, todo.completed, owner.email FROM todos_todo todo"
            " JOIN accounts_user owner ON owner.id = todo.owner_id"
        )
        stored = {str(pk): (title, completed, email) for pk, title, completed, email in cursor.fetchall()}
    connection.close()
    lost = [email for email in results["accounts"] if email not in emails]
    for pk, todo in results["todos"].items():
        possible = [todo, *([todo["pending"]] if todo.get("pending") else [])]
        expected = [
            None if state["deleted"] else (state["title"], state["completed"], state["owner"]) for state in possible
        ]
        if stored.get(pk) not in expected:
            lost.append(pk)
    return lost


def measure(configuration, package, folder, paths, *, max_connections, users, spawn_rate, seconds):
    print(f"== {configuration.label}", flush=True)
    with ThrowawayPostgres(max_connections=max_connections, settings=STATEMENT_STATISTICS) as database:
        database.psql("CREATE EXTENSION pg_stat_statements")
        stats_file, log = folder / f"{configuration.name}.stats.json", folder / f"{configuration.name}.log"
        options = [*configuration.options(), "--stats", str(stats_file)]
        with lambda_local(package, database.url, log, stage=STAGE, options=options) as running:
            origin = running.site.removesuffix(f"/{STAGE}/")
            urls = {name: origin + path for name, path in paths.items()}
            with database.sampled_connections() as connections:
                reset_statements(database)
                results = run_locust(
                    urls,
                    folder / f"{configuration.name}.results.json",
                    folder / configuration.name,
                    users=users + configuration.flooders,
                    spawn_rate=spawn_rate,
                    seconds=seconds,
                    flooders=configuration.flooders,
                )
                # Before the lost-writes check below, whose queries run as the site's role.
                statements = site_statements(database)
        instances = json.loads(stats_file.read_text())
        statuses = {int(status): count for status, count in results["statuses"].items()}
        endpoints = endpoint_figures(folder / configuration.name)
        visitors = percentiles([milliseconds for _, _, milliseconds, _ in results["requests"]])
        lists = percentiles([milliseconds for _, name, milliseconds, _ in results["requests"] if name == "list"])
        figures = {
            "name": configuration.name,
            "label": configuration.label,
            "flooders": configuration.flooders,
            "flood_statuses": {int(status): count for status, count in results["flood_statuses"].items()},
            "endpoints": endpoints,
            "visitors": visitors,
            "list": lists,
            "after_the_burst": after_the_burst(results["requests"]),
            "statuses": statuses,
            # Answers of 500 and above (a throttled function is a 500), and requests that got no answer.
            "errors": sum(count for status, count in statuses.items() if status >= 500 or status == 0),
            "cold_starts": instances["cold_starts"],
            "throttles": instances["throttles"],
            "peak_instances": instances["peak_instances"],
            "peak_connections": connections.peak,
            "idle_in_transaction_ms": connections.longest_idle_in_transaction_ms,
            "connection_samples": connections.samples[:: max(1, len(connections.samples) // 600)],
            "database": per_request(statements, endpoints.get("Aggregated", {}).get("requests", 0)),
            "acknowledged": len(results["accounts"]) + len(results["todos"]),
            "lost_writes": lost_writes(database.url, results),
        }
    total = endpoints.get("Aggregated", {})
    print(
        f"   {total.get('requests', 0)} requests, {figures['errors']} errors, visitors' p99 {visitors['p99']:.0f} ms, "
        f"{figures['peak_instances']} instances at most, {figures['peak_connections']} server connections at most, "
        f"{len(figures['lost_writes'])} lost writes, {figures['idle_in_transaction_ms']:.0f} ms idle in a transaction "
        f"at most, {figures['database']['statements_per_request']:.1f} statements and "
        f"{figures['database']['db_ms_per_request']:.2f} ms of them per request",
        flush=True,
    )
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(prog="make load", description=__doc__.strip().splitlines()[0])
    local_zip = output_path(STAGE, machine_architecture())
    parser.add_argument("--zip", type=Path, default=local_zip, help="the stage built for this machine")
    parser.add_argument("--max-connections", type=int, default=15, help="the PostgreSQL server's max_connections")
    parser.add_argument("--seconds", type=int, default=60, help="how long each configuration runs")
    parser.add_argument("--ramp-seconds", type=int, default=10, help="how long the users take to arrive")
    args = parser.parse_args(argv)
    stage = Stage(STAGE)
    connection_limit = args.max_connections - SUPERUSER_RESERVED_CONNECTIONS
    users = 3 * connection_limit
    spawn_rate = users / args.ramp_seconds
    paths = entry_paths()
    runs = []
    with tempfile.TemporaryDirectory(prefix="load-") as folder:
        for configuration in configurations(connection_limit, stage):
            runs.append(
                measure(
                    configuration,
                    args.zip,
                    Path(folder),
                    paths,
                    max_connections=args.max_connections,
                    users=users,
                    spawn_rate=spawn_rate,
                    seconds=args.seconds,
                )
            )
    by_name = {run["name"]: run for run in runs}
    figures = {
        "date": datetime.date.today().isoformat(),
        "users": users,
        "ramp_seconds": args.ramp_seconds,
        "seconds": args.seconds,
        "max_connections": args.max_connections,
        "connection_limit": connection_limit,
        "runs": runs,
    }
    DOCS.mkdir(exist_ok=True)
    load_report.chart(DOCS / "load.png", figures)
    (DOCS / "LOAD.md").write_text(load_report.markdown(figures))
    (DOCS / "load.json").write_text(json.dumps(load_report.capacity_figures(figures), indent=2) + "\n")
    quoted.refresh("load.json")
    print("Report: docs/LOAD.md, docs/load.png, docs/load.json; figures quoted in docs/SCALING.md")
    production, flood = by_name["production"], by_name["production_login_flood"]
    for line in (
        f"load_users: {users}",
        f"load_db_connection_limit: {connection_limit}",
        f"load_errors_zappa_defaults: {by_name['zappa_defaults']['errors']}",
        f"load_errors_production: {production['errors']}",
        f"load_p99_ms_production: {production['endpoints']['Aggregated']['p99']:.0f}",
        f"load_peak_db_connections_production: {production['peak_connections']}",
        f"load_statements_per_request_production: {production['database']['statements_per_request']:.1f}",
        f"load_db_ms_per_request_production: {production['database']['db_ms_per_request']:.3f}",
        f"load_lost_writes: {sum(len(run['lost_writes']) for run in runs)}",
        f"load_flood_visitor_errors: {flood['errors']}",
        f"load_flood_list_p99_ms: {flood['list']['p99']:.0f}",
        f"load_idle_in_transaction_ms: {max(run['idle_in_transaction_ms'] for run in runs):.0f}",
    ):
        print(line)


if __name__ == "__main__":
    main()
