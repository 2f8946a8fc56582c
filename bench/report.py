"""docs/BENCHMARKS.md and its chart, from the figures `make bench` measured."""

import textwrap

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported: no display here
import matplotlib.pyplot as plt

from .prices import (
    FULL_VCPU_MB,
    HEADLINE_RATE,
    snapshot_cache_per_month,
)


def kb(size):
    return f"{size / 1000:.1f}"


def chart(path, figures):
    ladder = figures["ladder"]
    names = ["baseline", *[rung["name"] for rung in ladder]]
    labels = ["hello world,\nstock Zappa", *[rung["short"] for rung in ladder]]
    cold = [figures["cold"][name]["median"] * 1000 for name in names]
    sizes = [figures["baseline_mb"], *[rung["mb"] for rung in ladder]]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
    colours = ["#8c8c8c", *["#b83f45"] * len(ladder)]
    left.bar(labels, cold, color=colours)
    left.set_ylabel("cold start to first response, median (ms)")
    left.set_title("Cold start: the todo page, signed in, 20 todos")
    for index, value in enumerate(cold):
        left.annotate(f"{value:.0f}", (index, value), ha="center", va="bottom")
    right.bar(labels, sizes, color=colours)
    right.axhline(20, color="#1a7f37", linestyle="--", linewidth=1, label="goal: 20 MB")
    right.set_ylabel("zip (MB)")
    right.set_title("Package size")
    right.legend()
    for axis in (left, right):
        axis.tick_params(axis="x", labelrotation=30, labelsize=8)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def markdown(figures):
    f = figures
    r = figures["restored"]
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `make bench` on {f['date']}; every figure below comes from that run. Rerun it to",
        "check them on your machine: it needs PostgreSQL (`DATABASE_URL`, else the local server) and",
        "builds everything else itself.",
        "",
        "## Machine",
        "",
        *[f"- {name}: {value}" for name, value in f["machine"].items()],
        "",
        "## Headline figures",
        "",
        "| Figure | Value | Goal |",
        "| --- | --- | --- |",
        *[f"| `{name}` | {value} | {goal} |" for name, value, goal in f["headline"]],
        "",
        "![Cold starts and package sizes](benchmarks.png)",
        "",
        "## Cold start",
        "",
        "A fresh interpreter (`python -I -S -B`) in the unpacked package, from its start to the first",
        "response, as Lambda starts a new instance: `GET /todos/` for a signed-in user with 20 todos on",
        "PostgreSQL behind PgBouncer over TLS (RDS Proxy's stand-in: a new instance's first connection is",
        "a TLS handshake with the pool), through Zappa's handler with the production stage's HTTP API",
        "event. The baseline is",
        "a minimal Django project of the same Django version (`startproject` and one view returning a",
        "short page) packaged by `zappa package` with default settings from a virtualenv holding only",
        "Django and Zappa, answering `GET /` to a REST API event, Zappa's default. "
        f"{f['runs']} rounds, each subject once per round in turn, after a",
        "warm-up round; the median counts.",
        "",
        "| Package | Zip (MB) | Median (ms) | Min (ms) | Max (ms) |",
        "| --- | --- | --- | --- | --- |",
    ]
    rows = [("baseline", "hello world, stock `zappa package`", f["baseline_mb"])]
    rows += [(rung["name"], rung["label"], rung["mb"]) for rung in f["ladder"]]
    rows.append(("restore", "the same zip, restored: a fork of the primed interpreter (SnapStart's stand-in)", None))
    for name, label, size in rows:
        ms = {key: f["cold"][name][key] * 1000 for key in ("median", "min", "max")}
        zipped = "" if size is None else f"{size:.1f}"
        lines.append(f"| {label} | {zipped} | {ms['median']:.0f} | {ms['min']:.0f} | {ms['max']:.0f} |")
    lines += [
        "",
        "The restored row is SnapStart's stand-in (local_aws/runtime.py's `Snapshot`): one interpreter imports",
        "the zip and runs the before-snapshot hooks (todo_site/snapstart.py) once; each round forks a child,",
        "which runs the after-restore hooks and answers the same request. The time runs from asking for the",
        "fork to the response. It shows what is left of a cold start once initialisation is in the snapshot;",
        "it cannot show the time AWS takes to load a snapshot into a new microVM (AWS reports it as Restore",
        "Duration, from about 100 ms up for Python, and does not bill its own part of it).",
        "",
        *textwrap.wrap(
            f"A restored instance's first answer took {r['first_page_faults']:,.0f} page faults (the median of "
            f"{f['runs']} instances), its second {r['second_page_faults']:,.0f}: the pages of the snapshot the first "
            "request writes to, reference counts included, which the kernel copies for the child on its first "
            f"write. Such a copy takes {f['page_copy_us']:.1f} µs on this machine (a forked child writing to 3,000 "
            f"pages it shares), so about {r['first_page_faults'] * f['page_copy_us'] / 1000:.0f} ms of the restored "
            "row are the fork's copies. A SnapStart restore has its own page loads instead, which this cannot show.",
            width=100,
        ),
        "",
        *textwrap.wrap(
            f"Where that first answer goes, in the same instances (medians), split as Lambda's REPORT line splits "
            f"an invocation: {r['first_answer_ms']:.1f} ms in all, of which {r['restore_duration_ms']:.1f} ms to "
            "restore (Restore Duration: the fork, then the after-restore hooks) and "
            f"{r['first_duration_ms']:.1f} ms in the handler (Duration), against {r['second_duration_ms']:.1f} ms "
            "for the instance's second answer; the first's extra is its database connection (a TLS handshake with "
            "the pool), the copies above and code's first use. The rest, "
            f"{r['first_answer_ms'] - r['restore_duration_ms'] - r['first_duration_ms']:.1f} ms, is the runtime "
            "handing over the event and the answer. Every new instance pays these whatever its page costs, so "
            "the faster the page, the larger `restore_ms` is against `warm_ms`.",
            width=100,
        ),
    ]
    if len(f["ladder"]) > 1:
        lines += [
            "",
            "Each row of the todo site adds one lever to the row above it, so the difference between two",
            "rows is what that lever is worth. The first row packages this project as Zappa does with its",
            "defaults and loads the secrets from S3 at start (`remote_env`); the last is `make package`.",
            "",
            "- **Valid bytecode**: Zappa's zip carries bytecode whose source timestamps no longer match",
            "  once unpacked, and Lambda's code folder is read-only, so every cold start compiles every",
            "  module again. The zip callback adds unchecked-hash bytecode for Python 3.13 only.",
            "- **Secrets in the function's environment**: no S3 client to build and no object to fetch",
            "  before the first request.",
            "- **Static manifest in the zip**: page templates name hashed static files; the manifest of",
            "  those names comes with the package instead of from the bucket.",
            "- **Lean zip**: Zappa's command-line-only dependencies left out, botocore's models of",
            "  every service but S3 and the translations of other languages than the site's, and",
            "  gettext's `.po` sources.",
        ]
    else:
        lines += [
            "",
            "The todo site's row is the zip `make package` builds. `make bench LADDER=1` also builds and",
            "measures the lever ladder: this project packaged as Zappa does by default, then with each",
            "lever of `deploy/package.py` and the stage added one at a time.",
        ]
    lines += [
        "",
        f"Largest packages inside the final zip ({f['unzipped_mb']:.1f} MB unzipped):",
        "",
        "| Package | Unzipped (MB) |",
        "| --- | --- |",
        *[f"| {name} | {size / 1e6:.1f} |" for name, size in f["largest"]],
        "",
        "## Warm requests",
        "",
        f"`GET /todos/` for a signed-in user with 50 todos, {f['requests']} requests each, in one process",
        "with the production settings on PostgreSQL behind PgBouncer: Django's WSGI handler given the environ Zappa",
        "builds, against Zappa's Lambda handler given the API Gateway event, in alternating blocks.",
        "The browser's `Accept-Encoding: gzip` is sent, as browsers do.",
        "",
        "| Path | p50 (ms) | p99 (ms) | Requests/s |",
        "| --- | --- | --- | --- |",
        *[
            f"| {label} | {s['p50']:.2f} | {s['p99']:.2f} | {s['rps']:.0f} |"
            for label, s in (("Django WSGI handler", f["warm"]["wsgi"]), ("Zappa handler", f["warm"]["handler"]))
        ],
        "",
        f"Response compression (GZipMiddleware): the page leaves the function as {kb(f['gzip']['plain_bytes'])} KB",
        f"without it and {kb(f['gzip']['gzip_bytes'])} KB with it; through the handler p50 is",
        f"{f['gzip']['plain_p50']:.2f} ms without and {f['gzip']['gzip_p50']:.2f} ms with it.",
        "",
        "## SQL queries of the list page",
        "",
        "| Todos | Queries |",
        "| --- | --- |",
        *[f"| {todos} | {count} |" for todos, count in f["queries"].items()],
        "",
        "## Page weight",
        "",
        "The todo page of a user with 20 todos and the stylesheets and script it loads, uncompressed",
        "and gzipped, against the asset set of the book's Flask todo app (which loads these before any",
        "page of its own).",
        "",
        "| This site | Bytes | Gzipped |",
        "| --- | --- | --- |",
        *[f"| {name} | {raw:,} | {zipped:,} |" for name, raw, zipped in f["page"]],
        f"| **total** | **{sum(p[1] for p in f['page']):,}** | **{sum(p[2] for p in f['page']):,}** |",
        "",
    ]
    if f["anchor"]:
        lines += [
            "| Flask app's assets | Bytes | Gzipped |",
            "| --- | --- | --- |",
            *[f"| {name} | {raw:,} | {zipped:,} |" for name, raw, zipped in f["anchor"]],
            f"| **total** | **{sum(p[1] for p in f['anchor']):,}** | **{sum(p[2] for p in f['anchor']):,}** |",
            "",
        ]
    else:
        lines += ["(npm was not available, so the anchor's files could not be fetched.)", ""]
    lambda_cost, rest, http = f["cost"]["measured"]
    scaled_lambda, scaled_rest, scaled_http = f["cost"]["scaled"]
    memory = f["cost"]["memory_mb"]
    cache = snapshot_cache_per_month(memory, f["cost"]["snapshots"])
    x86_lambda, x86_rest, x86_http = f["cost"]["x86"]
    lines += [
        "## Cost per million requests",
        "",
        f"At the production stage's {memory} MB on arm64 in us-east-1 (list prices): Lambda $0.0000133334 per",
        "GB-second (x86_64: $0.0000166667), billed per millisecond, plus $0.20 per million requests; API Gateway",
        "$3.50 per million (REST API) or $1.00 per million (HTTP API, the production stage's). SnapStart adds",
        f"$0.0001397998 per GB for each restore, priced here for a steady {HEADLINE_RATE} requests a second (the",
        "instances they keep busy, each replaced every two hours), and $0.0000015046 per GB-second for each cached",
        f"snapshot, a monthly charge whatever the traffic: {f['cost']['snapshots']} versions kept at {memory} MB,",
        f"${cache:.2f} a month, not in the figures below.",
        "",
        f"    cost = 1,000,000 × (ceil(duration ms) / 1000 × {memory / 1024:g} GB × $0.0000133334 + $0.0000002)",
        f"           + restores per million × {memory / 1024:g} GB × $0.0001397998 + API",
        "",
        f"With the warm p50 through the handler measured here ({f['warm']['handler']['p50']:.2f} ms on one core",
        "of this machine, an x86_64 one: Graviton runs Python as fast or faster, so the duration is not",
        f"shortened for arm64), and with that duration stretched by {FULL_VCPU_MB}/{memory} for the CPU share",
        f"Lambda gives {memory} MB ({f['cost']['scaled_ms']:.1f} ms), an estimate for CPU-bound work:",
        "",
        "| Duration | Lambda | + REST API | + HTTP API |",
        "| --- | --- | --- | --- |",
        f"| measured | ${lambda_cost:.2f} | ${rest:.2f} | ${http:.2f} |",
        f"| CPU share of {memory} MB | ${scaled_lambda:.2f} | ${scaled_rest:.2f} | ${scaled_http:.2f} |",
        f"| the same on x86_64, no SnapStart | ${x86_lambda:.2f} | ${x86_rest:.2f} | ${x86_http:.2f} |",
        *[
            f"| a sign-up or log-in with {algorithm} ({f['hash_ms'][algorithm]:.0f} ms of CPU), CPU share "
            f"| ${hashed[0]:.2f} | ${hashed[1]:.2f} | ${hashed[2]:.2f} |"
            for algorithm, hashed in f["cost"]["hashing"].items()
        ],
        "",
        "A request that hashes a password (a sign-up, a log-in, a password change or reset) costs the page's",
        "time and one hash's CPU time; the rows above price a million of them. They are a small share of a",
        "site's requests, so the per-page row is the one that sets the bill.",
        "",
        "## Commands",
        "",
        "```sh",
        "make bench            # the shipped zip against the baseline; its last lines are the headline",
        "make bench LADDER=1   # the same, with every lever of the ladder built and measured",
        "```",
        "",
    ]
    return "\n".join(lines)
