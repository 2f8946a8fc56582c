"""
`make digests`: the daily digest's fan-out through the production zip behind `make lambda-local`, with one,
two and four senders (DIGEST_WORKERS) side by side.

For each, on a PostgreSQL server of its own, it makes USERS users whose digest is due now (each with an
overdue todo), delivers the scheduled event as EventBridge does (`make invoke`) and waits until every
asynchronous invocation it started has ended. It measures the time to send them all, the e-mails sent (the
.eml files lambda-local wrote), the most sent in one second (the rate's count in the database, which must
stay within EMAIL_SEND_RATE), the asynchronous invocations and their billed seconds, and the instances
started. SES here is moto's, which answers at once; each configuration also runs with SES taking 80 ms to
accept a message (--ses-latency), an assumed round trip to SES's API (measure your own): then one sender
cannot keep up with 14 a second. Writes docs/DIGESTS.md and docs/digests.json (which docs/EMAIL.md
quotes) and prints the headline lines.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg2

from deploy.build import machine_architecture, output_path
from local_aws.aws_emulator import local_client
from local_aws.database import ThrowawayPostgres
from local_aws.lambda_local import background as lambda_local
from local_aws.stage import BASE_DIR, Stage

from . import quoted

DOCS = BASE_DIR / "docs"
MAIL = BASE_DIR / "dist" / "mail" / "production"
SEED = """
def seed():
    import datetime

    from accounts.models import User, email_key
    from todos.models import Todo, TodoList

    users = User.objects.bulk_create(
        User(email=f"reader{{n}}@example.com", email_key=email_key(f"reader{{n}}@example.com"), digest_hour=0)
        for n in range({users})
    )
    lists = TodoList.objects.bulk_create(TodoList(owner=user, name="Todos", is_default=True) for user in users)
    Todo.objects.bulk_create(
        Todo(owner=user, todo_list=todo_list, title="Overdue", due=datetime.date(2026, 1, 1), position=0)
        for user, todo_list in zip(users, lists)
    )


seed()
"""


def measure(workers, package, users, folder, ses_latency):
    stage = Stage("production")
    stats = Path(folder) / f"pool-{workers}.json"
    with ThrowawayPostgres(max_connections=25) as database:
        options = ["--proxy-pool", "4", "--environment", f"DIGEST_WORKERS={workers}", "--stats", str(stats)]
        options += ["--ses-latency", str(ses_latency)]
        log = Path(folder) / f"lambda-local-{workers}.log"
        with lambda_local(package, database.url, log, stage="production", options=options) as running:
            client = local_client("lambda", running.lambda_api)
            seeded = client.invoke(
                FunctionName=stage.lambda_name, Payload=json.dumps({"raw_command": SEED.format(users=users)})
            )
            if seeded.get("FunctionError"):
                sys.exit(f"seeding failed: {seeded['Payload'].read().decode()}")
            started = time.monotonic()
            command = [sys.executable, "-m", "local_aws.invoke", "--stage", "production"]
            command += ["--function", "todo_site.tasks.daily_digests", "--endpoint", running.lambda_api]
            subprocess.run(command, cwd=BASE_DIR, check=True, capture_output=True, timeout=1800)
            seconds = time.monotonic() - started
            with open_url(f"{running.lambda_api}/_local/drained?timeout=1") as answer:
                counts = json.load(answer)
            sent = len(list(MAIL.glob("*.eml")))
            with psycopg2.connect(database.admin_url) as connection, connection.cursor() as cursor:
                cursor.execute("SELECT max(sent), count(*) FROM accounts_sendingsecond")
                peak, busy_seconds = cursor.fetchone()
                cursor.execute("SELECT count(*), count(sent_at) FROM todos_digest")
                claims, sent_claims = cursor.fetchone()
    pool = json.loads(stats.read_text())
    return {
        "ses_latency_ms": round(ses_latency * 1000),
        "workers": workers,
        "users": users,
        "seconds": round(seconds, 1),
        "sent": sent,
        "claims_sent": sent_claims,
        "claims": claims,
        "per_second": round(sent / seconds, 1),
        "peak_in_a_second": peak,
        "sending_seconds": busy_seconds,
        "invocations": counts["accepted"],
        "billed_seconds": round(counts["busy_seconds"], 1),
        "instances": pool["peak_instances"],
    }


def open_url(url):
    return urllib.request.urlopen(url, timeout=60)  # noqa: S310 - loopback only


def report(results, rate):
    lines = [
        "# The daily digest's fan-out",
        "",
        "Written by `make digests` (bench/digests.py): the production zip behind `make lambda-local`, "
        f"{results[0]['users']} users due at once, SES's rate {rate} a second, moto's SES.",
        "",
        "| SES answers in | Senders | Time to send all | E-mails sent | Per second | Most in one second | "
        "Invocations | Billed seconds | Instances |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        columns = ["ses_latency_ms", "workers", "seconds", "sent", "per_second", "peak_in_a_second", "invocations"]
        cells = [str(result[column]) for column in [*columns, "billed_seconds", "instances"]]
        cells[0] += " ms"
        cells[2] += " s"
        lines.append(f"| {' | '.join(cells)} |")
    lines += ["", "The figures are in docs/digests.json, which docs/EMAIL.md quotes.", ""]
    (DOCS / "DIGESTS.md").write_text("\n".join(lines))
    (DOCS / "digests.json").write_text(json.dumps({"rate": rate, "runs": results}, indent=2) + "\n")
    quoted.refresh("digests.json")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.digests", description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--zip", type=Path, default=output_path("production", machine_architecture()))
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument(
        "--ses-latency", default="0,0.08", help="seconds SES takes to accept a message, each measured (default 0,0.08)"
    )
    args = parser.parse_args(argv)
    rate = 14
    results = []
    with tempfile.TemporaryDirectory(prefix="digests-") as folder:
        for latency in [float(seconds) for seconds in args.ses_latency.split(",")]:
            for workers in [int(number) for number in args.workers.split(",")]:
                result = measure(workers, args.zip, args.users, folder, latency)
                results.append(result)
                print(
                    f"digest_senders_{workers}_ses_{result['ses_latency_ms']}ms: {result['sent']} of {result['users']} "
                    f"e-mails in {result['seconds']} s, "
                    f"at most {result['peak_in_a_second']} in a second, {result['invocations']} invocations, "
                    f"{result['billed_seconds']} billed seconds, {result['instances']} instances",
                    flush=True,
                )
    report(results, rate)


if __name__ == "__main__":
    main()
