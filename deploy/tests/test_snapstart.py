"""
SnapStart: the hooks that prime the snapshot and renew each restored instance, and the production
zip served by instances forked from one primed interpreter (deploy/runtime.py's Snapshot).
"""

import contextlib
import logging
import random

import psycopg2
import pytest
from django.db import connection
from django.utils.translation import trans_real

from deploy.aws_emulator import AwsEmulator
from deploy.events import api_host
from deploy.runtime import LocalFunction, Snapshot, unpack
from deploy.stage import Stage, local_secrets
from todo_site import snapstart

from .visitor import PASSWORD, Visitor, journey


def test_the_production_stage_starts_from_snapshots_without_keep_warm():
    production = Stage("production")
    assert production.snap_start
    assert production.config["keep_warm"] is False
    assert production.config["aws_environment_variables"]["INSTANTIATE_LAMBDA_HANDLER_ON_IMPORT"] == "true"
    # Zappa's managed alias needs at least two versions kept; each kept version's snapshot is billed.
    assert production.config["num_retained_versions"] == 2


def test_priming_loads_what_a_request_needs_and_opens_no_database_connection():
    """pytest-django refuses any database access to a test without its django_db mark: priming must need none."""
    trans_real._translations.clear()
    snapstart.prime()
    assert connection.connection is None
    assert {"en", "zh-hans"} <= set(trans_real._translations)
    assert {"todos/todo_list.html", "base.html", "accounts/login.html"} <= set(snapstart.template_names())


@pytest.mark.django_db(transaction=True)
def test_priming_closes_a_connection_that_initialisation_opened(caplog):
    connection.ensure_connection()
    with caplog.at_level(logging.WARNING, logger="todo_site.snapstart"):
        snapstart.prime()
    assert connection.connection is None
    assert "1 database connection(s) opened during initialisation, closed" in caplog.text


def draws_of_restored_instances(renew):
    """Two instances restored from one snapshot start with the same memory, `random`'s state included (a fork
    would re-seed it, a restore does not); each runs the after-restore hook if `renew`, then draws a number."""
    random.seed(1234)
    snapshot = random.getstate()
    draws = []
    for _ in range(2):
        random.setstate(snapshot)
        if renew:
            snapstart.renew()
        draws.append(random.getrandbits(64))
    return draws


def test_restored_instances_draw_the_same_numbers_unless_renewed():
    first, second = draws_of_restored_instances(renew=False)
    assert first == second
    first, second = draws_of_restored_instances(renew=True)
    assert first != second


@pytest.fixture(scope="module")
def restored(production_zip, scratch_database, tmp_path_factory):
    """A Snapshot of the production zip built for this machine, and a way to restore instances from it."""
    production = Stage("production")
    task_root = unpack(production_zip, tmp_path_factory.mktemp("snapstart"))
    with AwsEmulator() as aws, contextlib.ExitStack() as stack:
        production.provide_s3(aws)
        production.provide_mail_and_queues(aws)
        environment = production.function_environment(aws.url, local_secrets(scratch_database))
        snapshot = Snapshot(task_root, environment, timeout=production.config["timeout_seconds"])
        stack.callback(snapshot.close)

        def restore():
            function = LocalFunction(task_root, environment, snapshot=snapshot)
            stack.callback(function.close)
            return function

        restore().invoke({"manage": "migrate --noinput"}).check()
        yield production, restore, f"{aws.url}/{production.static_bucket}/static/"


def visitor(restored):
    production, restore, static_url = restored
    function = restore()
    return Visitor(
        lambda event: function.invoke(event).check(),
        stage="production",
        host=api_host(production.region),
        event=production.api_event,
        static_url=static_url,
    )


def backends(database_url):
    """The server processes connected to the database, other than this query's own."""
    with contextlib.closing(psycopg2.connect(database_url)) as conn, conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


@pytest.mark.lambda_package
def test_two_restored_instances_have_their_own_tokens_sessions_and_connections(restored, scratch_database):
    before = backends(scratch_database)
    ann, bob = visitor(restored), visitor(restored)
    for person, email in ((ann, "ann@snapstart.example"), (bob, "bob@snapstart.example")):
        signup = person.page(person.url("signup"))
        person.submit(signup, person.url("signup"), email=email, password1=PASSWORD, password2=PASSWORD)
    assert ann.cookies["csrftoken"] != bob.cookies["csrftoken"]
    assert ann.cookies["sessionid"] != bob.cookies["sessionid"]
    # CONN_MAX_AGE keeps each instance's connection open: two new server processes, one per instance.
    assert len(backends(scratch_database) - before) == 2


@pytest.mark.lambda_package
def test_a_restored_instance_serves_the_journey(restored):
    journey(visitor(restored), email="carol@snapstart.example")
