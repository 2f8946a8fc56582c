"""
`make bench`: cold start, warm overhead, package size, SQL queries, page weight and cost.

Builds the baseline and the production zip (with --ladder, every rung of the lever ladder too),
runs them on PostgreSQL (DATABASE_URL, else the local server) with the S3 API emulator, writes
docs/BENCHMARKS.md and its chart, and ends with one `name: value` line per headline figure.
"""

import argparse
import datetime
import json
import os
import platform
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from deploy.stage import BASE_DIR
from local_aws.aws_emulator import AwsEmulator
from local_aws.events import rest_event
from local_aws.runtime import Snapshot, unpack

from . import baseline, coldstart, hashing, packages, prices, quoted, report, warm, weight
from .site import DEFAULT_DATABASE_URL, Site

DOCS = BASE_DIR / "docs"
WORKDIR = BASE_DIR / "build" / "bench"
SHORT_LABELS = {
    "stock": "todo site,\nZappa defaults",
    "bytecode": "+ valid\nbytecode",
    "env_secrets": "+ secrets in\nenvironment",
    "static_manifest": "+ static manifest\nin the zip",
    "make_package": "+ lean zip\n(make package)",
}


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line))
    release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line).get(
        "PRETTY_NAME", platform.platform()
    )
    import django
    import zappa
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "Memory": f"{memory / 2**20:.0f} GiB",
        "System": release.strip('"'),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "Zappa": zappa.__version__,
        "PostgreSQL": postgres,
    }


def package_contents(zip_path):
    """(unzipped bytes, [(top-level package, unzipped bytes)] largest first)."""
    sizes = Counter()
    with zipfile.ZipFile(zip_path) as package:
        for entry in package.infolist():
            top = entry.filename.split("/")[0]
            if top.endswith(".libs"):
                top = top.removesuffix(".libs").removesuffix("_binary")
            sizes[top.split("-")[0].removesuffix(".py")] += entry.file_size
    return sum(sizes.values()), sizes.most_common(10)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.strip().splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="cold-start rounds (at least 7)")
    parser.add_argument("--requests", type=int, default=500, help="warm requests per path")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    parser.add_argument("--ladder", action="store_true", help="also build and measure every lever of the ladder")
    args = parser.parse_args(argv)
    if args.runs < 7:
        parser.error("--runs must be at least 7")
    if not args.database_url.startswith("postgres"):
        parser.error("the benchmark runs on PostgreSQL: set DATABASE_URL to a postgres:// URL")
    database_url = args.database_url.rsplit("/", 1)[0] + "/todo_bench"
    WORKDIR.mkdir(parents=True, exist_ok=True)
    DOCS.mkdir(exist_ok=True)

    print("Building the baseline and the packages" + (" of the lever ladder" if args.ladder else ""), flush=True)
    baseline_zip = baseline.build(WORKDIR / "baseline")
    rungs = packages.build(WORKDIR, ladder=args.ladder)
    final = rungs[-1]
    deployed_zip = packages.deployed()

    with tempfile.TemporaryDirectory(prefix="bench-") as folder, AwsEmulator() as s3:
        site = Site(s3, database_url)
        try:
            roots = {rung.name: unpack(rung.zip_path, folder) for rung in rungs}
            site.install(roots[final.name])
            site.setup_django()
            figures = {"machine": machine()}
            cold_cookie = site.signed_in_user("cold@example.com", 20)
            warm_cookie = site.signed_in_user("warm@example.com", 50)
            query_cookies = {todos: site.signed_in_user(f"q{todos}@example.com", todos) for todos in (1, 50, 500)}

            print(f"Cold starts: {args.runs} rounds of {len(rungs) + 1} packages and a restored instance", flush=True)
            cold_event = site.event("/todos/", cold_cookie)
            subjects = {
                "baseline": (
                    unpack(baseline_zip, folder),
                    {"AWS_REGION": site.stage.region},
                    rest_event("GET", "/", stage="bench", host=site.host),
                    None,
                )
            }
            for rung in rungs:
                subjects[rung.name] = (roots[rung.name], site.environment(remote_env=rung.remote_env), cold_event, None)
            # SnapStart's stand-in: instances of the final zip forked from one primed interpreter.
            environment = site.environment(remote_env=False)
            snapshot = Snapshot(roots[final.name], environment)
            subjects["restore"] = (roots[final.name], environment, cold_event, snapshot)
            try:
                cold_times = coldstart.alternate(subjects, args.runs)
                # Where a restored instance's first answer goes: the restore, the handler, the pages it copies.
                figures["restored"] = coldstart.restored_instances(*subjects["restore"], args.runs)
            finally:
                snapshot.close()
            figures["page_copy_us"] = coldstart.page_copy_us()
            figures["cold"] = {name: coldstart.summary(times) for name, times in cold_times.items()}

            print(f"Warm requests: {args.requests} per path", flush=True)
            browser_event = site.event("/todos/", warm_cookie, **{"Accept-Encoding": "gzip, deflate, br"})
            plain_event = site.event("/todos/", warm_cookie)
            handler = site.stage.handler()
            times = warm.compare(
                {"wsgi": warm.wsgi_handler(browser_event, site.stage), "handler": lambda: handler(browser_event)},
                args.requests,
            )
            figures["warm"] = {name: warm.summary(values) for name, values in times.items()}
            # The compression lever: the same handler for a client that takes gzip and one that does not.
            times = warm.compare(
                {"plain": lambda: handler(plain_event), "gzip": lambda: handler(browser_event)}, args.requests
            )
            figures["gzip"] = {
                "plain_bytes": warm.response_size(handler(plain_event)),
                "gzip_bytes": warm.response_size(handler(browser_event)),
                "plain_p50": warm.summary(times["plain"])["p50"],
                "gzip_p50": warm.summary(times["gzip"])["p50"],
            }
            print("Password hashes", flush=True)
            figures["hash_ms"], figures["hasher"] = hashing.compare(args.runs)
            figures["queries"] = {
                todos: warm.count_queries(warm.wsgi_handler(site.event("/todos/", cookie), site.stage))
                for todos, cookie in query_cookies.items()
            }
        finally:
            site.close()

    figures["page"] = weight.todo_page(20)
    figures["anchor"] = weight.anchor(WORKDIR / "anchor")
    figures["baseline_mb"] = baseline_zip.stat().st_size / 1e6
    figures["ladder"] = [
        {
            "name": rung.name,
            "label": rung.label,
            "short": SHORT_LABELS[rung.name],
            "mb": rung.zip_path.stat().st_size / 1e6,
        }
        for rung in rungs
    ]
    unzipped, largest = package_contents(final.zip_path)
    figures["unzipped_mb"], figures["largest"] = unzipped / 1e6, largest
    handler_p50 = figures["warm"]["handler"]["p50"]
    memory = site.stage.config["memory_size"]
    scaled = handler_p50 * prices.FULL_VCPU_MB / memory
    rate = prices.HEADLINE_RATE
    figures["cost"] = {
        "memory_mb": memory,
        "snapshots": site.stage.config["num_retained_versions"],
        "measured": prices.cost_per_million(handler_p50, memory, rate=rate),
        "scaled": prices.cost_per_million(scaled, memory, rate=rate),
        "x86": prices.cost_per_million(scaled, memory, gb_second=prices.LAMBDA_GB_SECOND),
        "scaled_ms": scaled,
        # A request that hashes a password (sign-up, log-in, password change): the page's time and one hash.
        "hashing": {
            algorithm: prices.cost_per_million((handler_p50 + ms) * prices.FULL_VCPU_MB / memory, memory, rate=rate)
            for algorithm, ms in figures["hash_ms"].items()
        },
    }
    figures["date"] = datetime.date.today().isoformat()
    figures["runs"], figures["requests"] = args.runs, args.requests

    counts = set(figures["queries"].values())
    page_kb = sum(part[1] for part in figures["page"]) / 1000
    restore_ms = figures["cold"]["restore"]["median"] * 1000
    headline = {
        "restore_ms": restore_ms,
        "restore_ratio": figures["cold"]["restore"]["median"] / figures["cold"]["baseline"]["median"],
        "warm_ms": handler_p50,
        "cold_start_ratio": figures["cold"][final.name]["median"] / figures["cold"]["baseline"]["median"],
        "password_hash_ms": figures["hash_ms"][figures["hasher"]],
        "package_mb": deployed_zip.stat().st_size / 1e6,
        "cost_per_million_usd": figures["cost"]["scaled"][2],
        "warm_overhead_ratio": handler_p50 / figures["warm"]["wsgi"]["p50"],
        "queries_constant": 1 if len(counts) == 1 else 0,
        "page_weight_kb": page_kb,
        "password_hash_ms_pbkdf2": figures["hash_ms"]["pbkdf2_sha256"],
    }
    goals = {
        "restore_ms": f"<= 3 × warm_ms ({3 * handler_p50:.1f}): a new instance from the snapshot, to its first answer",
        "restore_ratio": "restore_ms over the stock hello world's cold start",
        "warm_ms": "a warm request through Zappa's handler, p50",
        "cost_per_million_usd": f"<= 1.50: arm64, HTTP API, SnapStart's restores at {prices.HEADLINE_RATE} requests/s",
        "cold_start_ratio": "<= 0.35",
        "warm_overhead_ratio": "<= 1.15",
        "package_mb": "<= 20: the deployed arm64 zip",
        "queries_constant": f"1 ({', '.join(map(str, sorted(counts)))} queries; at most 5)",
        "page_weight_kb": "<= 35",
        "password_hash_ms": f"{figures['hasher']}, the configured hasher: CPU ms for one hash",
        "password_hash_ms_pbkdf2": "PBKDF2 (Django's default) on the same CPU, the same run",
    }
    figures["headline"] = [
        (name, f"{value:.2f}" if isinstance(value, float) else value, goals[name]) for name, value in headline.items()
    ]
    report.chart(DOCS / "benchmarks.png", figures)
    (DOCS / "BENCHMARKS.md").write_text(report.markdown(figures))
    # What `make capacity` plans from, and the figures the docs/ pages quote (bench/quoted.py).
    machine_readable = {
        "date": figures["date"],
        "cores": os.cpu_count(),
        "warm_ms": handler_p50,
        "scaled_ms": scaled,
        "memory_mb": memory,
        "restore_ms": restore_ms,
        "cold_start_ms": figures["cold"][final.name]["median"] * 1000,
        "baseline_ms": figures["cold"]["baseline"]["median"] * 1000,
        "architecture": site.stage.architecture,
        "headline_rate": prices.HEADLINE_RATE,
        "cost_per_million_usd": headline["cost_per_million_usd"],
        "hasher": figures["hasher"],
        "password_hash_ms": headline["password_hash_ms"],
        "password_hash_ms_pbkdf2": headline["password_hash_ms_pbkdf2"],
        "package_mb": headline["package_mb"],
        "queries": [figures["queries"][todos] for todos in (1, 50, 500)],
        "page_kb": page_kb,
        "page_gzip_kb": sum(part[2] for part in figures["page"]) / 1000,
        "flask_assets_kb": sum(part[1] for part in figures["anchor"]) / 1000 if figures["anchor"] else None,
        "response_gzip_bytes": figures["gzip"]["gzip_bytes"],
        "restore_page_faults": figures["restored"]["first_page_faults"],
        "second_request_page_faults": figures["restored"]["second_page_faults"],
        "page_copy_us": figures["page_copy_us"],
        **{
            name: figures["restored"][name]
            for name in ("first_answer_ms", "restore_duration_ms", "first_duration_ms", "second_duration_ms")
        },
    }
    (DOCS / "benchmarks.json").write_text(json.dumps(machine_readable, indent=2) + "\n")
    quoted.refresh("benchmarks.json")

    warm_handler = figures["warm"]["handler"]
    lambda_cost, rest, http = figures["cost"]["measured"]
    cold_ms = {name: figures["cold"][name]["median"] * 1000 for name in ("baseline", final.name)}
    queries = ", ".join(str(figures["queries"][todos]) for todos in (1, 50, 500))
    for line in (
        f"Cold start median: {cold_ms[final.name]:.0f} ms; baseline {cold_ms['baseline']:.0f} ms",
        f"Through the handler: p50 {warm_handler['p50']:.2f} ms, p99 {warm_handler['p99']:.2f} ms, "
        f"{warm_handler['rps']:.0f} requests/s",
        f"Package: {headline['package_mb']:.1f} MB zipped, {figures['unzipped_mb']:.1f} MB unzipped",
        f"Queries of the list page at 1, 50 and 500 todos: {queries}",
        f"Page weight: {page_kb:.1f} KB, gzipped {sum(part[2] for part in figures['page']) / 1000:.1f} KB",
        f"Cost per million requests at {memory} MB on arm64, with SnapStart's restores: ${lambda_cost:.2f} Lambda, "
        f"${rest:.2f} with a REST API, ${http:.2f} with an HTTP API (duration as measured here)",
        "One password hash, CPU time: "
        + ", ".join(f"{algorithm} {ms:.0f} ms" for algorithm, ms in figures["hash_ms"].items()),
        "Report: docs/BENCHMARKS.md, docs/benchmarks.png, docs/benchmarks.json; figures quoted in docs/PERFORMANCE.md",
    ):
        print(line)
    for name, value in headline.items():
        print(f"{name}: {value:.2f}" if isinstance(value, float) else f"{name}: {value}")


if __name__ == "__main__":
    main()
