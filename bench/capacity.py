"""
`python -m bench.capacity`: how far the production stage goes past this machine, and at what price.

From what `make load` measured (docs/load.json: the production configuration's latency and its
database work per request) and `make bench` measured (docs/benchmarks.json: the handler's time
on this machine and on Lambda's share of a vCPU), for 10, 100, 1,000 and 10,000 requests a
second of `make load`'s journey mix: the setup that carries the rate within the utilisation
target (the database class, the concurrency and quotas raised), the limit that is met first
above the rate and the next, what raises each, and the monthly price line by line. It writes
docs/CAPACITY.md and ends with the headline lines.
"""

import argparse
import datetime
import json
import math
import os
from dataclasses import dataclass, replace
from pathlib import Path

from local_aws.stage import BASE_DIR, Stage, template

from . import quoted
from .prices import (
    HOURS_PER_MONTH,
    HTTP_API_REQUEST,
    INSTANCE_LIFETIME_HOURS,
    LAMBDA_GB_SECOND,
    LAMBDA_GB_SECOND_ARM,
    LAMBDA_REQUEST,
    SECONDS_PER_MONTH,
    SNAPSTART_CACHE_GB_SECOND,
    SNAPSTART_RESTORE_GB,
    restores_per_month,
)

DOCS = BASE_DIR / "docs"
RATES = (10, 100, 1_000, 10_000)
# The configuration of `make load` that is the production stage as deployed.
CONFIGURATION = "production"

# Assumptions, each a figure nothing here measures.
# The share of each limit a plan may use: the rates are averages, and a minute's peak, a deployment's cold starts
# or a slow query must not reach the limit itself.
UTILISATION = 0.7
# CPU milliseconds of the database server per millisecond of statement execution (pg_stat_statements). Execution
# leaves out parsing, planning, the protocol and commits, which for statements of a few hundredths of a
# millisecond cost more than the execution: measured once, the site role's server processes (their CPU time in
# /proc) used 6.9 times the execution time over the second half of a 50-s run of `make load`'s production
# configuration, 1.6 ms a request, and 7.0 times over the whole run. A vCPU here is taken for a vCPU of Graviton.
DATABASE_CPU_PER_EXECUTION = 7
# One statement's trip from the function to RDS Proxy, on to the database and back, which loopback on this machine
# does not have: a few hundred microseconds a hop within an Availability Zone, more across them, and the proxy's
# own work. A round figure, not a measurement.
ROUND_TRIP_MS = 1.0
# The figure of `make load` that stands for the mix's mean time, from which Lambda's duration and so its concurrency
# (rate × duration) follow: the median, since the mean on this machine is swollen by the burst of cold starts and
# Argon2 hashes queueing for two shared cores, which Lambda instances do not share.
DURATION_FIGURE = "p50_ms"
# The share of the reads (SELECTs locking no row) that may go to a replica through RDS Proxy's read-only endpoint:
# a visitor's session, and every read just after their own write, must see the writer (an Aurora replica lags up
# to about 100 ms). A round guess.
READS_ON_READERS = 0.5
# E-mails per request. `make load`'s visitors send none (a sign-up does not mail); in production, password resets
# and the daily digest do. A guess of a resetting visitor once in 2,000 requests, and of half the users taking a
# digest and making 50 requests a day.
PASSWORD_RESETS_PER_REQUEST = 1 / 2_000
DIGEST_SUBSCRIBERS = 0.5
REQUESTS_PER_USER_PER_DAY = 50

# Quotas and limits: their defaults.
# Concurrent executions per account and Region, of which 100 stay unreserved
# (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
LAMBDA_ACCOUNT_CONCURRENCY = 1_000
LAMBDA_UNRESERVED = 100
# HTTP APIs: requests a second per account and Region, burst 5,000
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
HTTP_API_RATE = 10_000
# RDS for PostgreSQL's max_connections: LEAST({DBInstanceClassMemory/9531392}, 5000)
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections).
CONNECTION_MEMORY = 9_531_392
MAX_CONNECTIONS = 5_000
# DBInstanceClassMemory is the class's memory less what the system and RDS take: 300 MiB is an assumption that gives
# a db.t4g.micro the 80 connections it shows (deploy/aws/stack.yaml's DatabaseConnectionsThreshold).
RESERVED_MEMORY = 300 * 2**20
# Aurora Serverless v2: at most 256 ACUs an instance, an ACU 2 GiB of memory, and about 4 ACUs to a vCPU of an r-class
# (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html; AWS's
# sizing guide, https://github.com/aws/agent-toolkit-for-aws, skills/.../serverless-advisory-formulas-and-examples.md).
AURORA_MAX_ACUS = 256
ACU_MEMORY = 2 * 2**30
ACUS_PER_VCPU = 4

# us-east-1 list prices, USD.
# RDS for PostgreSQL, Single-AZ on demand, an hour (https://aws.amazon.com/rds/postgresql/pricing/), with each
# class's vCPUs, memory in GiB and the share of its vCPUs it sustains: a T class sustains its baseline
# (https://aws.amazon.com/ec2/instance-types/t4/) and bills CPU credits beyond it. r7g (Graviton3) rather than r6g
# (Graviton2, $0.225 an hour for a large): 6% dearer, and a faster vCPU.
DATABASE_CLASSES = {
    "db.t4g.micro": (2, 1, 0.10, 0.016),
    "db.t4g.small": (2, 2, 0.20, 0.032),
    "db.t4g.medium": (2, 4, 0.20, 0.065),
    "db.t4g.large": (2, 8, 0.30, 0.129),
    "db.t4g.xlarge": (4, 16, 0.40, 0.258),
    "db.t4g.2xlarge": (8, 32, 0.40, 0.517),
    "db.r7g.large": (2, 16, 1, 0.239),
    "db.r7g.xlarge": (4, 32, 1, 0.478),
    "db.r7g.2xlarge": (8, 64, 1, 0.956),
    "db.r7g.4xlarge": (16, 128, 1, 1.912),
    "db.r7g.8xlarge": (32, 256, 1, 3.824),
    "db.r7g.12xlarge": (48, 384, 1, 5.736),
    "db.r7g.16xlarge": (64, 512, 1, 7.648),
}
# RDS Proxy: per vCPU of the instance behind it an hour, 2 at least; per ACU an hour for Aurora Serverless v2, 8 at
# least (https://aws.amazon.com/rds/proxy/pricing/).
PROXY_VCPU_HOUR = 0.015
PROXY_MIN_VCPUS = 2
PROXY_ACU_HOUR = 0.015
PROXY_MIN_ACUS = 8
# Aurora Serverless v2 (Aurora Standard; its I/O is billed apart), an ACU an hour (https://aws.amazon.com/rds/aurora/pricing/).
AURORA_ACU_HOUR = 0.12
# SES, an e-mail sent (https://aws.amazon.com/ses/pricing/).
SES_EMAIL = 0.10 / 1_000
LAMBDA_GB_SECOND_BY_ARCHITECTURE = {"arm64": LAMBDA_GB_SECOND_ARM, "x86_64": LAMBDA_GB_SECOND}


@dataclass(frozen=True)
class Work:
    """What one request of the mix asks of each part, from the measured figures and the assumptions above."""

    lambda_ms: float  # the function's time, as billed
    connection_ms: float  # a proxy's server connection held
    database_cpu_ms: float
    read_share: float  # of the database's CPU, what reads take
    emails: float
    memory_mb: int
    architecture: str
    restore_ms: float
    figures: dict  # the measured figures these come from, for the report


@dataclass(frozen=True)
class Database:
    name: str
    detail: str
    vcpus: float  # the CPU it sustains
    connections: int  # RDS Proxy's connections to it: MaxConnectionsPercent of its max_connections
    monthly: float
    proxy_monthly: float


@dataclass(frozen=True)
class Setup:
    """What the stage runs on: the database, the stage's reserved concurrency and the account's quotas."""

    database: Database
    reserved_concurrency: int
    account_concurrency: int
    http_api_rate: int
    email_rate: int
    proxy_percent: int
    snapshots: int  # SnapStart snapshots cached: the published versions kept


@dataclass(frozen=True)
class Limit:
    name: str
    setting: str
    rps: float  # the requests a second at which it is met
    raised_by: str


def max_connections(memory):
    """RDS's default max_connections for a database of `memory` bytes."""
    return min((memory - RESERVED_MEMORY) // CONNECTION_MEMORY, MAX_CONNECTIONS)


def rds(name, *, proxy_percent):
    """The RDS for PostgreSQL instance class `name` behind RDS Proxy."""
    vcpus, memory_gib, baseline, hourly = DATABASE_CLASSES[name]
    return Database(
        name=name,
        detail=f"{vcpus} vCPUs" + (f" at a {baseline:.0%} baseline" if baseline < 1 else "") + f", {memory_gib} GiB",
        vcpus=vcpus * baseline,
        connections=max_connections(memory_gib * 2**30) * proxy_percent // 100,
        monthly=hourly * HOURS_PER_MONTH,
        proxy_monthly=max(vcpus, PROXY_MIN_VCPUS) * PROXY_VCPU_HOUR * HOURS_PER_MONTH,
    )


def aurora(vcpus_needed, read_share, *, proxy_percent):
    """Aurora Serverless v2 behind RDS Proxy, priced at the ACUs `vcpus_needed` takes at the utilisation target,
    each instance free to grow to its most ACUs: a writer and, when one instance is not enough, readers behind the
    proxy's read-only endpoint with their share of the reads."""
    acus = vcpus_needed / UTILISATION * ACUS_PER_VCPU
    on_readers = read_share * READS_ON_READERS if acus > AURORA_MAX_ACUS else 0
    writer = max(0.5, math.ceil(acus * (1 - on_readers) * 2) / 2)
    readers = math.ceil(acus * on_readers * 2) / 2
    instances = math.ceil(readers / AURORA_MAX_ACUS)
    most = min(AURORA_MAX_ACUS / (1 - on_readers), instances * AURORA_MAX_ACUS / on_readers if on_readers else math.inf)
    writer_connections = max_connections(AURORA_MAX_ACUS * ACU_MEMORY) * proxy_percent // 100
    return Database(
        name="Aurora Serverless v2",
        detail=f"writer {writer:g} ACUs" + (f", readers {readers:g} ACUs on {instances}" if instances else ""),
        vcpus=most / ACUS_PER_VCPU,
        connections=int(writer_connections / (1 - on_readers)),
        monthly=(writer + readers) * AURORA_ACU_HOUR * HOURS_PER_MONTH,
        proxy_monthly=max(writer + readers, PROXY_MIN_ACUS) * PROXY_ACU_HOUR * HOURS_PER_MONTH,
    )


def read_figures(path, made_by):
    """The JSON file `path`, or a SystemExit saying which file is missing or broken and what writes it."""
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise SystemExit(f"{path} is missing: {made_by} writes it.") from None
    except json.JSONDecodeError as error:
        raise SystemExit(f"{path} is not JSON ({error}): rerun {made_by}.") from None


def figure(figures, key, source):
    """The positive number `key` of `figures`, or a SystemExit naming the key and its file."""
    if key not in figures:
        raise SystemExit(f"{source} has no {key!r}: rerun what writes it.")
    value = figures[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise SystemExit(f"{source}: {key!r} is {value!r}, not a positive number.")
    return value


def work(load, benchmarks, *, load_source="docs/load.json", benchmarks_source="docs/benchmarks.json"):
    """The `Work` of one request from `make load`'s and `make bench`'s figures; a SystemExit if one is missing."""
    run = load.get("configurations", {}).get(CONFIGURATION)
    if not isinstance(run, dict):
        raise SystemExit(f"{load_source} has no {CONFIGURATION!r} configuration: rerun `make load`.")
    source = f"{load_source} ({CONFIGURATION})"
    mix_ms = figure(run, DURATION_FIGURE, source)
    statements = figure(run, "statements_per_request", source)
    database_ms = figure(run, "db_ms_per_request", source)
    read_ms = figure(run, "read_ms_per_request", source)
    if read_ms > database_ms:
        raise SystemExit(f"{source}: 'read_ms_per_request' is {read_ms!r}, more than 'db_ms_per_request'.")
    warm_ms = figure(benchmarks, "warm_ms", benchmarks_source)
    scaled_ms = figure(benchmarks, "scaled_ms", benchmarks_source)
    architecture = benchmarks.get("architecture")
    if architecture not in LAMBDA_GB_SECOND_BY_ARCHITECTURE:
        raise SystemExit(f"{benchmarks_source}: 'architecture' is {architecture!r}, not arm64 or x86_64.")
    round_trips_ms = statements * ROUND_TRIP_MS
    return Work(
        # This machine's time, slowed as the handler is on the stage's share of a vCPU, and the trips to the proxy.
        lambda_ms=mix_ms * scaled_ms / warm_ms + round_trips_ms,
        connection_ms=database_ms + round_trips_ms,
        database_cpu_ms=database_ms * DATABASE_CPU_PER_EXECUTION,
        read_share=read_ms / database_ms,
        emails=PASSWORD_RESETS_PER_REQUEST + DIGEST_SUBSCRIBERS / REQUESTS_PER_USER_PER_DAY,
        memory_mb=figure(benchmarks, "memory_mb", benchmarks_source),
        architecture=architecture,
        restore_ms=figure(benchmarks, "restore_ms", benchmarks_source),
        figures={
            DURATION_FIGURE: mix_ms,
            "requests_per_second": run.get("requests_per_second"),
            "peak_server_connections": run.get("peak_server_connections"),
            "warm_ms": warm_ms,
            "scaled_ms": scaled_ms,
            "statements_per_request": statements,
            "db_ms_per_request": database_ms,
            "read_ms_per_request": read_ms,
        },
    )


def limits(work, setup):
    """The limits of `setup`, each with the requests a second at which `work` meets it, the first met first."""
    database = setup.database
    reservable = setup.account_concurrency - LAMBDA_UNRESERVED
    found = [
        Limit(
            "Lambda reserved concurrency",
            f"{setup.reserved_concurrency} instances",
            setup.reserved_concurrency / work.lambda_ms * 1000,
            "the stage's `lambda_concurrency` in zappa_settings.json, up to the account's quota less "
            f"{LAMBDA_UNRESERVED}",
        ),
        Limit(
            "Lambda concurrency of the account",
            f"{setup.account_concurrency:,} in the Region, {reservable:,} of them to reserve",
            reservable / work.lambda_ms * 1000,
            "a quota increase (Service Quotas: Lambda, concurrent executions)",
        ),
        Limit(
            "API Gateway HTTP API rate",
            f"{setup.http_api_rate:,} requests/s in the Region",
            setup.http_api_rate,
            "a quota increase (Service Quotas: API Gateway, throttle rate)",
        ),
        Limit(
            "RDS Proxy connections",
            f"{database.connections:,}: {setup.proxy_percent}% of {database.name}'s max_connections",
            database.connections / work.connection_ms * 1000,
            "a database with more memory (max_connections grows with it); fewer statements per request",
        ),
        Limit(
            "Database CPU",
            f"{database.name}: {database.detail}",
            database.vcpus / work.database_cpu_ms * 1000,
            "a larger class, or Aurora Serverless v2, then readers behind RDS Proxy's read-only endpoint",
        ),
        Limit(
            "SES sending rate",
            f"{setup.email_rate} e-mails/s",
            setup.email_rate / work.emails,
            "a sending-quota increase (SES console), and EMAIL_SEND_RATE to match",
        ),
    ]
    return sorted(found, key=lambda limit: limit.rps)


def round_up(value, step):
    return math.ceil(value / step) * step


def database_for(rate, work, proxy_percent):
    """The cheapest instance class that carries `rate` within the utilisation target, else Aurora Serverless v2."""
    vcpus = rate * work.database_cpu_ms / 1000
    connections = rate * work.connection_ms / 1000
    for name in sorted(DATABASE_CLASSES, key=lambda name: DATABASE_CLASSES[name][3]):
        database = rds(name, proxy_percent=proxy_percent)
        if vcpus <= database.vcpus * UTILISATION and connections <= database.connections * UTILISATION:
            return database
    return aurora(vcpus, work.read_share, proxy_percent=proxy_percent)


def setup_for(rate, work, today):
    """`today`'s setup with what `rate` needs within the utilisation target raised."""
    reserved = max(today.reserved_concurrency, round_up(rate * work.lambda_ms / 1000 / UTILISATION, 10))
    return replace(
        today,
        database=database_for(rate, work, today.proxy_percent),
        reserved_concurrency=reserved,
        account_concurrency=max(today.account_concurrency, round_up(reserved + LAMBDA_UNRESERVED, 1_000)),
        http_api_rate=max(today.http_api_rate, round_up(rate / UTILISATION, 1_000)),
        email_rate=max(today.email_rate, math.ceil(rate * work.emails / UTILISATION)),
    )


def monthly(rate, work, setup):
    """The month's price of `rate` on `setup`, line by line: {item: USD}."""
    requests = rate * SECONDS_PER_MONTH
    gigabytes = work.memory_mb / 1024
    gb_second = LAMBDA_GB_SECOND_BY_ARCHITECTURE[work.architecture]
    # Lambda bills each request's duration rounded up to the millisecond.
    billed_seconds = math.ceil(work.lambda_ms) / 1000
    restores = restores_per_month(rate, work.lambda_ms)
    database = setup.database
    return {
        "Lambda duration": requests * billed_seconds * gigabytes * gb_second,
        "Lambda requests": requests * LAMBDA_REQUEST,
        "API Gateway HTTP API requests": requests * HTTP_API_REQUEST,
        f"Database: {database.name}": database.monthly,
        "RDS Proxy": database.proxy_monthly,
        "SnapStart cache": setup.snapshots * gigabytes * SECONDS_PER_MONTH * SNAPSTART_CACHE_GB_SECOND,
        "SnapStart restores": restores * gigabytes * (SNAPSTART_RESTORE_GB + work.restore_ms / 1000 * gb_second),
        "SES e-mails": requests * work.emails * SES_EMAIL,
    }


@dataclass(frozen=True)
class Step:
    rate: int
    setup: Setup
    limits: list
    price: dict

    @property
    def total(self):
        return sum(self.price.values())


def plan(work, today, rates=RATES):
    """For each rate, the setup that carries it, its limits (the first met first) and its monthly price."""
    steps = []
    for rate in rates:
        setup = setup_for(rate, work, today)
        steps.append(Step(rate, setup, limits(work, setup), monthly(rate, work, setup)))
    return steps


def todays_setup():
    """The production stage as zappa_settings.json, the stack template and the settings have it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_site.settings.base")
    from django.conf import settings

    stage = Stage("production").config
    stack = template()
    proxy_percent = stack["Resources"]["ProxyTargetGroup"]["Properties"]["ConnectionPoolConfigurationInfo"]
    return Setup(
        database=rds(
            stack["Parameters"]["DatabaseInstanceClass"]["Default"],
            proxy_percent=proxy_percent["MaxConnectionsPercent"],
        ),
        reserved_concurrency=stage["lambda_concurrency"],
        account_concurrency=LAMBDA_ACCOUNT_CONCURRENCY,
        http_api_rate=HTTP_API_RATE,
        email_rate=settings.EMAIL_SEND_RATE,
        proxy_percent=proxy_percent["MaxConnectionsPercent"],
        # Zappa keeps the newest published versions (num_retained_versions), each with its snapshot.
        snapshots=stage["num_retained_versions"] if stage.get("snap_start") else 0,
    )


def usd(value):
    return f"{value:,.0f}" if value >= 10 else f"{value:,.2f}"


def rps(value):
    return f"{value:,.0f}"


def changes(setup, today):
    """What `setup` raises over `today`, in words."""
    said = []
    if setup.database != today.database:
        said.append(f"database {today.database.name} → {setup.database.name} ({setup.database.detail})")
    for field, words in (
        ("reserved_concurrency", "`lambda_concurrency`"),
        ("account_concurrency", "Lambda account quota"),
        ("http_api_rate", "HTTP API rate quota"),
        ("email_rate", "SES sending rate"),
    ):
        if getattr(setup, field) != getattr(today, field):
            said.append(f"{words} {getattr(today, field):,} → {getattr(setup, field):,}")
    return "; ".join(said) or "nothing: today's stack"


def markdown(steps, work, today, load, benchmarks, sources):
    f = work.figures
    today_limits = limits(work, today)
    lines = [
        "# Capacity",
        "",
        f"Written by `python -m bench.capacity` on {datetime.date.today().isoformat()} from {sources[0]}",
        f"(`make load` of {load.get('date', 'an unknown date')}, configuration `{CONFIGURATION}`) and",
        f"{sources[1]} (`make bench` of {benchmarks.get('date', 'an unknown date')}); rerun it after either. Each",
        "rate is a steady average of",
        "`make load`'s journey mix (bench/locustfile.py); each limit's rate is where it is met in full, and",
        f"each plan keeps every limit at {UTILISATION:.0%} of it or less. Prices are us-east-1 list prices",
        "on demand; the sources are in bench/capacity.py.",
        "",
        "## A request of the mix",
        "",
        "| Figure | Value | From |",
        "| --- | --- | --- |",
        f"| Time on this machine (`{DURATION_FIGURE}`) | {f[DURATION_FIGURE]:.1f} ms | `make load` |",
        f"| Server connections at most, at {f['requests_per_second'] or 0:.0f} requests/s here "
        f"| {f['peak_server_connections']} | `make load` (this machine's queueing for CPU holds them longer) |",
        f"| Handler on this machine, on Lambda's share of a vCPU | {f['warm_ms']:.1f} ms, {f['scaled_ms']:.1f} ms "
        "| `make bench` |",
        f"| Statements | {f['statements_per_request']:.2f} | `make load` (pg_stat_statements) |",
        f"| Statement execution | {f['db_ms_per_request']:.3f} ms, {f['read_ms_per_request']:.3f} ms of it reads "
        "| `make load` (pg_stat_statements) |",
        f"| Lambda duration | {work.lambda_ms:.1f} ms | the time here, slowed as the handler is, and "
        f"{ROUND_TRIP_MS:g} ms a statement to the proxy and back |",
        f"| A proxy connection held | {work.connection_ms:.2f} ms | execution and the statements' round trips |",
        f"| Database CPU | {work.database_cpu_ms:.2f} ms | execution × {DATABASE_CPU_PER_EXECUTION} |",
        f"| E-mails | {work.emails:.4f} | password resets and digests (none in the mix itself) |",
        f"| Memory, architecture | {work.memory_mb} MB, {work.architecture} | `make bench` |",
        "",
        "## Assumptions",
        "",
        f"- Utilisation target {UTILISATION:.0%}: the rates are averages; peaks and cold starts need the rest.",
        f"- Database CPU is {DATABASE_CPU_PER_EXECUTION}× the statements' execution time: parsing, planning, the",
        "  protocol and commits cost more than executing statements this small (measured once, on this machine,",
        "  from the server processes' CPU time).",
        f"- {ROUND_TRIP_MS:g} ms a statement from the function through RDS Proxy to the database and back.",
        f"- The mix's `{DURATION_FIGURE}` on this machine stands for its mean on Lambda.",
        f"- {READS_ON_READERS:.0%} of the reads may go to a replica (not a visitor's session, nor a read",
        "  just after their own write); RDS Proxy's read-only endpoint needs an Aurora cluster.",
        f"- E-mails: a password reset every {1 / PASSWORD_RESETS_PER_REQUEST:,.0f} requests, and a digest a day for",
        f"  {DIGEST_SUBSCRIBERS:.0%} of the users, who make {REQUESTS_PER_USER_PER_DAY} requests a day each.",
        f"- Lambda replaces an instance every {INSTANCE_LIFETIME_HOURS} hours (a SnapStart restore).",
        "",
        "## Today's stack, the limits in the order they are met",
        "",
        "| Limit | Setting | Met at requests/s | What raises it |",
        "| --- | --- | --- | --- |",
        *[f"| {limit.name} | {limit.setting} | {rps(limit.rps)} | {limit.raised_by} |" for limit in today_limits],
        "",
    ]
    for step in steps:
        first, following = step.limits[0], step.limits[1]
        verdict = (
            f"First limit met above this rate: **{first.name}** at {rps(first.rps)} requests/s; next, "
            f"{following.name} at {rps(following.rps)}."
            if first.rps >= step.rate
            else f"**Not carried**: {first.name} is met at {rps(first.rps)} requests/s, and nothing here raises it."
        )
        lines += [
            f"## {step.rate:,} requests a second",
            "",
            f"Raised: {changes(step.setup, today)}. {verdict}",
            "",
            "| Limit | Setting | Met at requests/s | Used at this rate | What raises it |",
            "| --- | --- | --- | --- | --- |",
            *[
                f"| {limit.name} | {limit.setting} | {rps(limit.rps)} | {step.rate / limit.rps:.0%} "
                f"| {limit.raised_by} |"
                for limit in step.limits
            ],
            "",
            "| Monthly price | USD |",
            "| --- | --- |",
            *[f"| {item} | {usd(value)} |" for item, value in step.price.items()],
            f"| **Total** | **{usd(step.total)}** |",
            "",
        ]
    lines += [
        "The classes are chosen for CPU and connections, not for holding the data in memory, which grows",
        "with the users. Not included: storage and backups, data transfer, CloudWatch, Secrets Manager, the",
        "NAT gateway or VPC endpoints, Aurora's I/O, free tiers, and the lower prices of Lambda and API Gateway",
        f"past their first volumes. `make bench` put its page at ${benchmarks.get('cost_per_million_usd', 0):.2f}"
        " a million requests (Lambda and API Gateway).",
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.capacity", description=__doc__.strip().splitlines()[0])
    parser.add_argument("--load", type=Path, default=DOCS / "load.json")
    parser.add_argument("--benchmarks", type=Path, default=DOCS / "benchmarks.json")
    parser.add_argument("--output", type=Path, default=DOCS / "CAPACITY.md")
    args = parser.parse_args(argv)
    load = read_figures(args.load, "`make load`")
    benchmarks = read_figures(args.benchmarks, "`make bench`")
    request = work(load, benchmarks, load_source=str(args.load), benchmarks_source=str(args.benchmarks))
    today = todays_setup()
    steps = plan(request, today)
    sources = [os.path.relpath(path, BASE_DIR) for path in (args.load, args.benchmarks)]
    args.output.write_text(markdown(steps, request, today, load, benchmarks, sources))
    if args.output == DOCS / "CAPACITY.md":
        quoted.refresh("benchmarks.json", "load.json")
    print(f"Capacity plan: {args.output}; its headline quoted in docs/SCALING.md")
    first_today = limits(request, today)[0]
    lines = [f"first_limit_today: {first_today.name} at {rps(first_today.rps)} rps"]
    for step in steps:
        lines += [
            f"first_limit_{step.rate}_rps: {step.limits[0].name} at {rps(step.limits[0].rps)} rps",
            f"next_limit_{step.rate}_rps: {step.limits[1].name} at {rps(step.limits[1].rps)} rps",
            f"database_{step.rate}_rps: {step.setup.database.name} ({step.setup.database.detail})",
            f"monthly_usd_{step.rate}_rps: {step.total:.0f}",
        ]
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
