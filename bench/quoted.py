"""
The figures the docs/ pages quote from `make bench`, `make load`, `make digests` and `make
lighthouse`, written from the figures those commands keep (docs/benchmarks.json, load.json,
digests.json, lighthouse.json) so that no page quotes another run.

A page quotes them in blocks that begin with `<!-- figures: NAME -->` and end with
`<!-- end of figures -->`; BLOCKS says what writes each. Each of those commands rewrites its
blocks after its report (`refresh`), and todo_site/tests/test_documentation.py fails on a block
that differs from what the committed figures give. Standard library and bench/prices.py only, but
for the capacity plan's block.
"""

import json
import math
import re
import textwrap
from pathlib import Path

from .prices import (
    FULL_VCPU_MB,
    HTTP_API_REQUEST,
    INSTANCE_LIFETIME_HOURS,
    LAMBDA_GB_SECOND,
    LAMBDA_GB_SECOND_ARM,
    LAMBDA_REQUEST,
    SECONDS_PER_MONTH,
    SNAPSTART_RESTORE_GB,
    cost_per_million,
    restores_per_month,
)

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"(<!-- figures: (?P<name>[a-z-]+) -->\n)(?P<text>.*?)(<!-- end of figures -->)", re.DOTALL)
# Data out to the internet, the first 10 TB a month (https://aws.amazon.com/ec2/pricing/on-demand/).
DATA_OUT_GB = 0.09
# Django's names of the password hashers, as the pages name them (Django's Argon2 hasher uses Argon2id).
HASHERS = {"argon2": "Argon2id", "pbkdf2_sha256": "PBKDF2", "scrypt": "scrypt", "bcrypt_sha256": "bcrypt"}


def paragraph(text):
    return textwrap.fill(" ".join(text.split()), width=98, break_long_words=False, break_on_hyphens=False)


def performance(bench):
    """docs/PERFORMANCE.md: the headline figures of `make bench`, in words."""
    b = bench
    counts = sorted(set(b["queries"]))
    queries = (
        f"{counts[0]} queries at 1, 50 or 500 todos"
        if len(counts) == 1
        else (f"{', '.join(map(str, b['queries']))} queries at 1, 50 and 500 todos")
    )
    flask = b["flask_assets_kb"] and (
        f", against {b['flask_assets_kb']:.0f} KB of Bootstrap, jQuery and Popper for the Flask app this project grew "
        "from"
    )
    return paragraph(
        f"""On the {b["cores"]}-core machine of the committed report: the signed-in todo page with 20 todos
        answers a cold start in {b["cold_start_ms"]:.0f} ms against {b["baseline_ms"]:,.0f} ms for stock Zappa's
        hello world (`cold_start_ratio` {b["cold_start_ms"] / b["baseline_ms"]:.2f}), and an instance restored
        from the snapshot stand-in answers it in {b["restore_ms"]:.0f} ms (`restore_ms`, `restore_ratio`
        {b["restore_ms"] / b["baseline_ms"]:.2f}), {b["restore_ms"] / b["warm_ms"]:.1f} times a warm request's
        {b["warm_ms"]:.1f} ms (`warm_ms`, the page with 50 todos through Zappa's handler). Of the
        difference, about {b["restore_page_faults"] * b["page_copy_us"] / 1000:.0f} ms is the fork's copy-on-write
        (the first answer copies {b["restore_page_faults"]:,.0f} pages of the snapshot, at {b["page_copy_us"]:.1f}
        µs each here); the fork and the after-restore hooks take {b["restore_duration_ms"]:.1f} ms, and the rest
        is the first connection's TLS handshake with the database's pool and first-use code
        ([docs/BENCHMARKS.md](BENCHMARKS.md) splits it). These come with every new instance, however fast the page:
        the faster it gets, the larger that ratio. What AWS adds to load a snapshot is not in it. The deployed
        arm64 zip is {b["package_mb"]:.1f} MB, the list page runs
        {queries}, the page with its CSS and JS weighs {b["page_kb"]:.1f} KB ({b["page_gzip_kb"]:.1f} KB
        gzipped){flask}, and one password hash takes {b["password_hash_ms"]:.0f} ms of CPU with the configured
        {HASHERS[b["hasher"]]} against {b["password_hash_ms_pbkdf2"]:.0f} ms with PBKDF2 (`password_hash_ms`,
        `password_hash_ms_pbkdf2`). A million page requests cost ${b["cost_per_million_usd"]:.2f} on arm64 with
        the HTTP API (`cost_per_million_usd`, see [What it costs](#what-it-costs))."""
    )


def cost(bench):
    """docs/PERFORMANCE.md: what a million page requests cost, from `make bench`'s warm request and the prices."""
    b = bench
    scaled, memory, rate = b["scaled_ms"], b["memory_mb"], b["headline_rate"]
    gigabytes, billed = memory / 1024, math.ceil(scaled) / 1000
    instances = max(1, math.ceil(rate * scaled / 1000))
    restores = restores_per_month(rate, scaled) / (rate * SECONDS_PER_MONTH / 1e6) * gigabytes * SNAPSTART_RESTORE_GB
    total = cost_per_million(scaled, memory, rate=rate)[2]
    x86 = cost_per_million(scaled, memory, gb_second=LAMBDA_GB_SECOND)[2]
    hashing = cost_per_million((b["warm_ms"] + b["password_hash_ms"]) * FULL_VCPU_MB / memory, memory, rate=rate)[2]
    busy = "the one instance it keeps busy" if instances == 1 else f"the {instances} instances it keeps busy"
    lines = [
        paragraph(
            f"""Per million page requests in us-east-1 at list prices (check AWS's pricing pages), with the
            production stage's {memory} MB on arm64 and its HTTP API. `make bench` measured a warm `GET /todos/`
            (50 todos) at {b["warm_ms"]:.1f} ms through Zappa's handler on one core of its (x86_64) machine;
            Lambda gives {memory} MB about {memory / FULL_VCPU_MB:.2f} of a core, so count {scaled:.1f} ms,
            billed as {billed * 1000:.0f}, and no gain for Graviton although published Python measurements find
            one ([docs/BENCHMARKS.md](BENCHMARKS.md) shows the computation, the REST API's price beside it, and a
            sign-up's or log-in's, which adds one password hash):"""
        ),
        "",
        "| | Per million requests |",
        "| --- | --- |",
        f"| API Gateway (HTTP API) | ${HTTP_API_REQUEST * 1e6:.2f} |",
        f"| Lambda requests | ${LAMBDA_REQUEST * 1e6:.2f} |",
        f"| Lambda compute on arm64 ({gigabytes:g} GB × {billed:g} s = {1e6 * gigabytes * billed:,.0f} GB-s at "
        f"${LAMBDA_GB_SECOND_ARM:.10f}) | ${1e6 * gigabytes * billed * LAMBDA_GB_SECOND_ARM:.2f} |",
        f"| SnapStart restores (at a steady {rate} requests a second: {busy}, replaced every "
        f"{INSTANCE_LIFETIME_HOURS} hours) | {'under $0.01' if restores < 0.01 else f'${restores:.2f}'} |",
        f"| **`cost_per_million_usd`** | **${total:.2f}** (${x86:.2f} on x86_64 without SnapStart) |",
        f"| Data out ({b['response_gzip_bytes'] / 1000:.1f} KB a page, gzipped) "
        f"| ${b['response_gzip_bytes'] * 1e6 / 1e9 * DATA_OUT_GB:.2f} |",
        "",
        paragraph(
            f"""A million sign-ups or log-ins cost ${hashing:.2f} with the HTTP API
            ({HASHERS[b["hasher"]]}'s {b["password_hash_ms"]:.0f} ms of CPU, stretched the same way)."""
        ),
    ]
    return "\n".join(lines)


def load_table(load):
    """docs/SCALING.md: `make load`'s configurations side by side."""
    lines = [
        "| Configuration | Errors | p50 ms | p99 ms | Peak instances | Peak server connections "
        "| Longest idle in a transaction | Lost writes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in load["configurations"].values():
        lines.append(
            f"| {run['label']} | {run['errors']} of {run['requests']:,} | {run['p50_ms']:.0f} | {run['p99_ms']:,.0f} "
            f"| {run['peak_instances']} | {run['peak_server_connections']} "
            f"| {run['idle_in_transaction_ms']:.0f} ms | {run['lost_writes']} |"
        )
    return "\n".join(lines)


def digests(figures):
    """docs/EMAIL.md: `make digests`'s senders side by side, for each time SES takes to answer."""
    runs = figures["runs"]
    sentences = []
    for latency in dict.fromkeys(run["ses_latency_ms"] for run in runs):
        same = [run for run in runs if run["ses_latency_ms"] == latency]
        answering = "answering at once" if latency == 0 else f"taking {latency} ms to accept a message"
        sentences.append(
            f"with SES {answering}, {series(run['workers'] for run in same)} senders sent them in "
            f"{series(run['seconds'] for run in same)} s for {series(run['billed_seconds'] for run in same)} "
            f"billed seconds, at most {series(run['peak_in_a_second'] for run in same)} in a second"
        )
    return paragraph(
        f"{runs[0]['users']} digests due at once through the production zip, SES's rate {figures['rate']} a second: "
        + "; ".join(sentences)
        + "."
    )


def series(values):
    """1, 2 and 4."""
    values = [str(value) for value in values]
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} and {values[-1]}"


def lighthouse(figures):
    """docs/PRODUCT.md: `make lighthouse`'s four scores per page and form factor."""
    names = {"performance": "Performance", "accessibility": "Accessibility", "best-practices": "Best Practices"}
    categories = ["performance", "accessibility", "best-practices", "seo"]
    lines = [
        f"| Page | Form factor | {' | '.join(names.get(category, category.upper()) for category in categories)} |",
        f"| --- | --- |{' --- |' * len(categories)}",
    ]
    for audit in figures["audits"]:
        scores = " | ".join(str(audit[category]) for category in categories)
        lines.append(f"| {audit['page']} | {audit['form_factor']} | {scores} |")
    return "\n".join(lines)


def capacity_plan(benchmarks, load):
    """docs/SCALING.md: what `make capacity` plans from both runs' figures (bench/capacity.py, which needs Django's
    settings and the stack's template, so it is imported only here)."""
    from . import capacity

    work = capacity.work(load, benchmarks)
    today = capacity.todays_setup()
    first, then = capacity.limits(work, today)[:2]
    steps = [
        f"${capacity.usd(step.total)} at {step.rate:,} requests a second on a `{step.setup.database.name}`"
        + ("" if step.setup == today else f" (raised: {capacity.changes(step.setup, today)})")
        for step in capacity.plan(work, today)
    ]
    return paragraph(
        f"""In the committed plan, today's stack (a `{today.database.name}`) meets its first limit, {first.name},
        at {capacity.rps(first.rps)} requests a second, and the next, {then.name}, at {capacity.rps(then.rps)}. A
        month costs {series(steps)}."""
    )


# name: (the page, the figures files it is written from, what writes the block from their figures)
BLOCKS = {
    "performance": ("PERFORMANCE.md", ("benchmarks.json",), performance),
    "cost": ("PERFORMANCE.md", ("benchmarks.json",), cost),
    "load": ("SCALING.md", ("load.json",), load_table),
    "capacity": ("SCALING.md", ("benchmarks.json", "load.json"), capacity_plan),
    "digests": ("EMAIL.md", ("digests.json",), digests),
    "lighthouse": ("PRODUCT.md", ("lighthouse.json",), lighthouse),
}


def blocks(page_text):
    """{name: text} of a page's blocks."""
    return {match["name"]: match["text"] for match in BLOCK.finditer(page_text)}


def render(name, docs=DOCS):
    """The text of block `name` from its figures files as committed in `docs`."""
    _, sources, write = BLOCKS[name]
    return write(*(json.loads((docs / source).read_text()) for source in sources)) + "\n"


def refresh(*sources, docs=DOCS):
    """Rewrite every block written from one of `sources` (figures files of docs/) in its page."""
    for page in sorted({page for page, read, _ in BLOCKS.values() if set(read) & set(sources)}):
        path = docs / page
        text = path.read_text()
        path.write_text(BLOCK.sub(lambda match: match[1] + render(match["name"], docs) + match[4], text))
