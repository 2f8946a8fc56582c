"""docs/LOAD.md and its chart, from the figures `make load` measured."""

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported: no display here
import matplotlib.pyplot as plt

ENDPOINTS = ["sign-up page", "sign up", "make a list", "list", "add", "tick", "rename", "today", "filter", "delete",
             "log out"]  # fmt: skip


def chart(path, figures):
    runs = figures["runs"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained")
    for run in runs:
        times, counts = zip(*run["connection_samples"], strict=True) if run["connection_samples"] else ((), ())
        left.plot(times, counts, label=run["name"].replace("_", " "), linewidth=1.2)
    left.axhline(figures["connection_limit"], color="#b83f45", linestyle="--", linewidth=1, label="the role's limit")
    left.set_xlabel("seconds into the run")
    left.set_ylabel("server connections of the site's role")
    left.set_title(f"PostgreSQL connections, {figures['users']} visitors arriving over {figures['ramp_seconds']} s")
    left.legend(fontsize=8)
    names = [run["name"].replace("_", "\n") for run in runs]
    errors = [run["errors"] for run in runs]
    right.bar(names, errors, color=["#b83f45" if count else "#1a7f37" for count in errors])
    for index, count in enumerate(errors):
        right.annotate(str(count), (index, count), ha="center", va="bottom")
    right.set_ylabel("answers of 500 and above, and no answer")
    right.set_title("Errors per configuration")
    right.tick_params(axis="x", labelsize=8)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def markdown(figures):
    f = figures
    runs = f["runs"]
    lines = [
        "# Load",
        "",
        f"Produced by `make load` on {f['date']}; every figure below comes from that run. Rerun it to check",
        "them on your machine: it needs nothing running and builds, starts and stops everything itself.",
        "",
        f"Each configuration gets a fresh PostgreSQL server with `max_connections = {f['max_connections']}`, of",
        f"which the site's role (not a superuser) may use {f['connection_limit']}: a small RDS instance scaled to",
        "this machine. `make lambda-local` serves the production zip in that configuration, and Locust's",
        f"virtual users arrive over {f['ramp_seconds']} s until {f['users']} are running (three times the",
        f"role's limit), for {f['seconds']} s in all. Each runs journeys with 0.5 to 1.5 s of think time between",
        "steps: sign up, make a list, add two todos to it (one due today), tick one, rename the other, look",
        "at what is due today and at the completed ones, delete one, log out; the posts are the page",
        "script's (JSON). Lambda instances are clean interpreters of the zip, each serving one request",
        "at a time; a request that finds none idle starts one (a cold start), unless the configuration's",
        "cap is reached, when API Gateway's answer to a throttled function (500) is what the visitor gets.",
        "",
        "![Server connections over time, and errors per configuration](load.png)",
        "",
        "## Side by side",
        "",
        "| Configuration | Requests | Requests/s | p50 ms | p95 ms | p99 ms | After the burst: p50 / p99 ms |"
        " Errors | Answers by status | Cold starts | Peak instances | Peak server connections |"
        " Longest idle in a transaction ms | Writes acknowledged | Lost |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        total = run["endpoints"].get("Aggregated", {})
        settled = run["after_the_burst"]
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(run["statuses"].items()))
        lines.append(
            f"| {run['label']} | {total.get('requests', 0)} | {total.get('rps', 0):.1f} | {total.get('p50', 0):.0f} "
            f"| {total.get('p95', 0):.0f} | {total.get('p99', 0):.0f} "
            f"| {settled['p50']:.0f} / {settled['p99']:.0f} (from {settled['since']:.0f} s) "
            f"| {run['errors']} | {statuses} "
            f"| {run['cold_starts']} | {run['peak_instances']} | {run['peak_connections']} "
            f"| {run['idle_in_transaction_ms']:.0f} | {run['acknowledged']} | {len(run['lost_writes'])} |"
        )
    flood = next((run for run in runs if run["flooders"]), None)
    lines += [
        "",
        '"After the burst" counts the requests answered after the last visitor signed up (the second it',
        "happened is in the table): every instance of this machine shares its two cores, so the burst of",
        "cold starts and sign-ups (each password is hashed with Argon2id) queues for",
        "CPU here, as it would not on Lambda, where each instance has a CPU of its own.",
        "",
        "The longest idle in a transaction is the longest time any server connection of the site's role was",
        "seen (every 10 ms) between statements of an open transaction: time in which a transaction pooler",
        "cannot lend that connection to anyone else. No transaction spans a request or a password hash, so",
        "it is the time between two statements of one short `transaction.atomic()` block.",
        "",
        "Errors are answers of 500 and above (the site's 503 when PostgreSQL refuses a connection, a",
        "throttled function's 500) and requests that got no answer. A journey stops at its first error,",
        "so configurations that fail run fewer requests. Lost writes are sign-ups and todo changes",
        "the site acknowledged that the database does not hold, checked row by row after each run.",
        "",
        "## Database time per request",
        "",
        "Each server counts the statements of the site's role and their execution time (`pg_stat_statements`)",
        "from the first visitor to the last, without the harness's own queries; divided here by the requests",
        "Locust counted. Reads are the SELECTs that lock no row, which a replica could answer.",
        "`python -m bench.capacity` plans from these figures, which docs/load.json holds.",
        "",
        "| Configuration | Statements per request | Database ms per request | Of which reads, ms |",
        "| --- | --- | --- | --- |",
        *[
            f"| {run['label']} | {run['database']['statements_per_request']:.1f} "
            f"| {run['database']['db_ms_per_request']:.3f} | {run['database']['read_ms_per_request']:.3f} |"
            for run in runs
        ],
        "",
        "## Per endpoint",
        "",
    ]
    if flood:
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(flood["flood_statuses"].items()))
        lines[-2:-2] = [
            "## A flood of log-ins",
            "",
            f"In the last configuration {flood['flooders']} more clients, each from a loopback address of its own,",
            "post log-ins to random addresses that have no account as fast as they are answered (every one is",
            "hashed until the per-address throttle refuses it), while the visitors run their journeys. Their",
            f"answers by status: {statuses}. The visitors' figures, without the flood's requests: "
            f"p50 {flood['visitors']['p50']:.0f} ms, p99 {flood['visitors']['p99']:.0f} ms; their list page "
            f"p50 {flood['list']['p50']:.0f} ms, p99 {flood['list']['p99']:.0f} ms; {flood['errors']} errors.",
            "",
        ]
    for run in runs:
        lines += [
            f"### {run['label']}",
            "",
            "| Endpoint | Requests | Failures | p50 ms | p95 ms | p99 ms |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for name in [*ENDPOINTS, "Aggregated"]:
            endpoint = run["endpoints"].get(name)
            if endpoint:
                lines.append(
                    f"| {name} | {endpoint['requests']} | {endpoint['failures']} | {endpoint['p50']:.0f} "
                    f"| {endpoint['p95']:.0f} | {endpoint['p99']:.0f} |"
                )
        lines.append("")
    return "\n".join(lines)


def capacity_figures(figures):
    """docs/load.json: per configuration, the figures bench/capacity.py plans from and docs/SCALING.md quotes."""
    configurations = {}
    for run in figures["runs"]:
        total = run["endpoints"].get("Aggregated", {})
        configurations[run["name"]] = {
            "label": run["label"],
            "requests": total.get("requests", 0),
            "requests_per_second": total.get("rps", 0),
            "p50_ms": total.get("p50", 0),
            "p95_ms": total.get("p95", 0),
            "p99_ms": total.get("p99", 0),
            "errors": run["errors"],
            "peak_instances": run["peak_instances"],
            "idle_in_transaction_ms": run["idle_in_transaction_ms"],
            "lost_writes": len(run["lost_writes"]),
            "statements_per_request": run["database"]["statements_per_request"],
            "db_ms_per_request": run["database"]["db_ms_per_request"],
            "read_ms_per_request": run["database"]["read_ms_per_request"],
            "peak_server_connections": run["peak_connections"],
        }
    keys = ("date", "users", "ramp_seconds", "seconds", "max_connections", "connection_limit")
    return {**{key: figures[key] for key in keys}, "configurations": configurations}
