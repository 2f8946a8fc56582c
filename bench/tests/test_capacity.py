"""The capacity plan's arithmetic (bench/capacity.py), from small hand-made figures of `make load` and `make bench`."""

import json

import pytest

from bench import capacity

LOAD = {
    "configurations": {
        "production": {
            "p50_ms": 15,
            "statements_per_request": 7,
            "db_ms_per_request": 0.2,
            "read_ms_per_request": 0.12,
        }
    }
}
BENCHMARKS = {"warm_ms": 6, "scaled_ms": 10, "memory_mb": 1024, "restore_ms": 200, "architecture": "arm64"}


def today():
    """The production stack as deployed: the smallest class, the stage's 100 instances, the default quotas."""
    return capacity.Setup(
        database=capacity.rds("db.t4g.micro", proxy_percent=90),
        reserved_concurrency=100,
        account_concurrency=capacity.LAMBDA_ACCOUNT_CONCURRENCY,
        http_api_rate=capacity.HTTP_API_RATE,
        email_rate=14,
        proxy_percent=90,
        snapshots=2,
    )


def load_with(**figures):
    return {"configurations": {"production": {**LOAD["configurations"]["production"], **figures}}}


def met_at(work, name):
    return next(limit.rps for limit in capacity.limits(work, today()) if limit.name == name)


def test_the_limit_met_first_changes_as_the_rate_grows():
    steps = capacity.plan(capacity.work(LOAD, BENCHMARKS), today())

    firsts = [step.limits[0].name for step in steps]
    assert firsts[0] == "Database CPU"
    assert firsts[-1] != "Database CPU"
    assert [limit.name for limit in steps[0].limits] != [limit.name for limit in steps[-1].limits]


def test_every_rate_is_carried_within_the_utilisation_target():
    for step in capacity.plan(capacity.work(LOAD, BENCHMARKS), today()):
        assert all(step.rate <= limit.rps * capacity.UTILISATION * 1.000001 for limit in step.limits), step.rate


def test_more_database_time_per_request_meets_the_database_limit_sooner():
    quick = capacity.work(LOAD, BENCHMARKS)
    slow = capacity.work(load_with(db_ms_per_request=0.8), BENCHMARKS)

    assert met_at(slow, "Database CPU") == pytest.approx(met_at(quick, "Database CPU") / 4)
    assert met_at(slow, "RDS Proxy connections") < met_at(quick, "RDS Proxy connections")


def test_more_database_time_per_request_needs_a_larger_class_at_the_same_rate():
    quick = capacity.plan(capacity.work(LOAD, BENCHMARKS), today(), rates=[100])[0]
    slow = capacity.plan(capacity.work(load_with(db_ms_per_request=0.8), BENCHMARKS), today(), rates=[100])[0]

    assert slow.setup.database.vcpus > quick.setup.database.vcpus
    assert slow.price[f"Database: {slow.setup.database.name}"] > quick.price[f"Database: {quick.setup.database.name}"]


def test_the_monthly_price_grows_with_the_rate():
    totals = [step.total for step in capacity.plan(capacity.work(LOAD, BENCHMARKS), today())]

    assert totals == sorted(totals)
    assert len(set(totals)) == len(totals)


def test_a_rate_no_instance_carries_goes_to_aurora_with_readers():
    largest = max(capacity.rds(name, proxy_percent=90).vcpus for name in capacity.DATABASE_CLASSES)
    rate = 10_000
    # More CPU than the largest class has, even at full use.
    database_ms = largest * 1.6 / rate * 1000 / capacity.DATABASE_CPU_PER_EXECUTION
    writes = capacity.work(load_with(db_ms_per_request=database_ms, read_ms_per_request=database_ms / 1000), BENCHMARKS)
    reads = capacity.work(load_with(db_ms_per_request=database_ms, read_ms_per_request=database_ms * 0.8), BENCHMARKS)

    without_reads = capacity.plan(writes, today(), rates=[rate])[0]
    with_reads = capacity.plan(reads, today(), rates=[rate])[0]

    assert with_reads.setup.database.name == "Aurora Serverless v2"
    assert "readers" in with_reads.setup.database.detail
    assert with_reads.limits[0].rps >= rate
    assert without_reads.limits[0].name == "Database CPU"
    assert without_reads.limits[0].rps < rate


def test_a_missing_file_is_named_with_what_writes_it(tmp_path):
    with pytest.raises(SystemExit, match=r"benchmarks\.json is missing: `make bench` writes it"):
        capacity.read_figures(tmp_path / "benchmarks.json", "`make bench`")


def test_a_file_that_is_not_json_is_named(tmp_path):
    broken = tmp_path / "load.json"
    broken.write_text('{"configurations": ')

    with pytest.raises(SystemExit, match=r"load\.json is not JSON"):
        capacity.read_figures(broken, "`make load`")


def test_the_figures_are_read_from_the_file(tmp_path):
    path = tmp_path / "load.json"
    path.write_text(json.dumps(LOAD))

    assert capacity.read_figures(path, "`make load`") == LOAD


@pytest.mark.parametrize("key", ["warm_ms", "scaled_ms", "memory_mb", "restore_ms"])
def test_a_missing_benchmark_figure_is_named(key):
    figures = {name: value for name, value in BENCHMARKS.items() if name != key}

    with pytest.raises(SystemExit, match=rf"docs/benchmarks\.json has no '{key}'"):
        capacity.work(LOAD, figures)


@pytest.mark.parametrize("value", [0, -6, "6", None, True])
def test_a_figure_that_is_not_a_positive_number_is_named(value):
    with pytest.raises(SystemExit, match=r"docs/benchmarks\.json: 'warm_ms' is"):
        capacity.work(LOAD, {**BENCHMARKS, "warm_ms": value})


def test_a_missing_database_figure_is_named_with_its_configuration():
    figures = load_with()
    del figures["configurations"]["production"]["db_ms_per_request"]

    with pytest.raises(SystemExit, match=r"docs/load\.json \(production\) has no 'db_ms_per_request'"):
        capacity.work(figures, BENCHMARKS)


def test_a_load_run_without_the_production_configuration_is_refused():
    with pytest.raises(SystemExit, match=r"docs/load\.json has no 'production' configuration"):
        capacity.work({"configurations": {"zappa_defaults": {}}}, BENCHMARKS)


def test_an_unknown_architecture_is_refused():
    with pytest.raises(SystemExit, match=r"'architecture' is 'sparc'"):
        capacity.work(LOAD, {**BENCHMARKS, "architecture": "sparc"})


def test_what_each_request_costs_is_in_proportion_to_the_rate():
    at_100, at_1000 = capacity.plan(capacity.work(LOAD, BENCHMARKS), today(), rates=[100, 1_000])

    for item in ("Lambda duration", "Lambda requests", "API Gateway HTTP API requests", "SES e-mails"):
        assert at_100.price[item] > 0
        assert at_1000.price[item] == pytest.approx(10 * at_100.price[item])
