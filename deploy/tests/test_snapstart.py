"""
SnapStart: the hooks that prime the snapshot and renew each restored instance, and the production
zip served by instances forked from one primed interpreter (local_aws/runtime.py's Snapshot).
"""

import contextlib
import ctypes
import json
import os
import random
import ssl
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

from local_aws.aws_emulator import AwsEmulator
from local_aws.database import PgBouncer
from local_aws.events import api_host
from local_aws.runtime import LocalFunction, Snapshot, unpack
from local_aws.stage import BASE_DIR, Stage, local_secrets
from todo_site import snapstart

from .visitor import PASSWORD, Visitor, journey


def test_the_production_stage_starts_from_snapshots_without_keep_warm():
    production = Stage("production")
    assert production.snap_start
    assert production.config["keep_warm"] is False
    assert production.config["aws_environment_variables"]["INSTANTIATE_LAMBDA_HANDLER_ON_IMPORT"] == "true"
    # Zappa's managed alias needs at least two versions kept; each kept version's snapshot is billed.
    assert production.config["num_retained_versions"] == 2


PRIME = """
import contextlib, gc, json, logging, re, sys
from urllib.parse import urlsplit
import django
from django.conf import settings
from django.db import connection
from django.utils.translation import trans_real

django.setup()
logging.basicConfig(level=logging.WARNING, format="%(message)s")
settings.SITE_URL = "https://example.com/production/"  # links are reversed under the stage's prefix
if sys.argv[1] == "connected":
    connection.ensure_connection()
from todo_site import snapstart

snapstart.prime()

# What a first request would still have to make, once primed: count it while doing what pages do.
from django.template.base import Template
from django.urls import NoReverseMatch, URLResolver, reverse
from django.utils import translation
from todos.forms import TodoEditForm, TodoForm

made = {"regular expressions": 0, "templates": 0, "URL resolvers": 0}

def counted(kind, function):
    def count(*args, **kwargs):
        made[kind] += 1
        return function(*args, **kwargs)
    return count

re._compiler.compile = counted("regular expressions", re._compiler.compile)
Template.compile_nodelist = counted("templates", Template.compile_nodelist)
URLResolver._populate = counted("URL resolvers", URLResolver._populate)
links = 0
for language, _ in settings.LANGUAGES:
    with translation.override(language), snapstart.script_prefix("/production/"):
        for name, kwargs in snapstart.url_names():
            with contextlib.suppress(NoReverseMatch):
                links += reverse(name, kwargs=kwargs).startswith("/production/")
        str(TodoForm()), str(TodoEditForm())
print(json.dumps({
    "connected": connection.connection is not None,
    "catalogues": sorted(trans_real._translations),
    "templates": snapstart.template_names(),
    "rehearsal": snapstart.rehearse(),
    "reversing": sorted({tuple(sorted(resolver._reverse_dict)) for resolver in snapstart.url_resolvers()}),
    "resolvers": len(snapstart.url_resolvers()),
    "links": links,
    "made": made,
    "lazy": snapstart.compile_lazy_expressions(),
    "frozen": gc.get_freeze_count(),
}))
"""


def prime_in_a_new_interpreter(database_url, connected=False):
    """Run the before-snapshot hook in a fresh interpreter, as Lambda runs it once its initialisation is done."""
    # CONN_MAX_AGE as in production: a connection a request opened would outlive it.
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_site.settings.test",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "300",
    }
    result = subprocess.run(
        [sys.executable, "-c", PRIME, "connected" if connected else "fresh"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def test_priming_loads_what_a_request_needs_and_opens_no_database_connection():
    """With a database that nothing answers for, priming succeeds: it never connects."""
    primed, log = prime_in_a_new_interpreter("postgres://todo@127.0.0.1:9/nothing")
    assert primed["connected"] is False
    assert {"en", "zh-hans"} <= set(primed["catalogues"])
    assert {"todos/todo_list.html", "base.html", "accounts/login.html"} <= set(primed["templates"])
    assert primed["rehearsal"] == "200 OK"
    # Every resolver, the included ones too, is ready to reverse in both languages.
    assert primed["resolvers"] > 1
    assert primed["reversing"] == [["en", "zh-hans"]]
    # Reversing every link of the site in both languages, and rendering the todo forms, makes nothing new:
    # no URL resolver built, no regular expression or template compiled (nor any that Django leaves to first use).
    assert primed["links"] > 2 * 30
    assert primed["made"] == {"regular expressions": 0, "templates": 0, "URL resolvers": 0}
    assert primed["lazy"] == 0
    # What the snapshot holds is out of reach of the restored instances' garbage collections.
    assert primed["frozen"] > 10_000
    assert "SnapStart" not in log


def test_priming_closes_a_connection_that_initialisation_opened(tmp_path):
    primed, log = prime_in_a_new_interpreter(f"sqlite:///{tmp_path / 'site.sqlite3'}", connected=True)
    assert primed["connected"] is False
    assert "1 database connection(s) opened during initialisation, closed" in log


TLS = """
import json, sys
from pathlib import Path
import psycopg2
from todo_site import snapstart

library = snapstart.prepare_tls()
loaded = {Path(field) for field in Path("/proc/self/maps").read_text().split() if field.startswith("/")}
connection = psycopg2.connect(sys.argv[1])
print(json.dumps({
    "library": str(library),
    "libpq": [str(path) for path in loaded if path.name.startswith(("libpq.", "libpq-"))],
    "tls": connection.info.ssl_in_use,
}))
"""


def test_priming_initialises_the_openssl_of_libpq_and_connections_still_use_tls(scratch_database):
    """psycopg2-binary bundles libpq with an OpenSSL of its own, beside Python's: priming must reach that one."""
    with PgBouncer(scratch_database, pool_size=1) as bouncer:
        result = subprocess.run(
            [sys.executable, "-c", TLS, bouncer.url], cwd=BASE_DIR, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 0, result.stderr
    primed = json.loads(result.stdout)
    [libpq] = primed["libpq"]
    assert primed["library"].rsplit("/", 1)[0] == libpq.rsplit("/", 1)[0]
    assert "libssl" in primed["library"]
    assert primed["tls"] is True


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


class OSSL_PARAM(ctypes.Structure):
    _fields_ = [
        ("key", ctypes.c_char_p),
        ("data_type", ctypes.c_uint),
        ("data", ctypes.c_void_p),
        ("data_size", ctypes.c_size_t),
        ("return_size", ctypes.c_size_t),
    ]


OSSL_PARAM_UNSIGNED_INTEGER = 2


def reseeds(library):
    """How many times the primary random generator of an OpenSSL 3 library (a ctypes.CDLL) has been seeded."""
    library.RAND_get0_primary.restype = ctypes.c_void_p
    library.RAND_get0_primary.argtypes = [ctypes.c_void_p]
    library.EVP_RAND_CTX_get_params.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    count = ctypes.c_uint()
    params = (OSSL_PARAM * 2)(
        OSSL_PARAM(b"reseed_counter", OSSL_PARAM_UNSIGNED_INTEGER, ctypes.addressof(count), ctypes.sizeof(count), 0)
    )
    assert library.EVP_RAND_CTX_get_params(library.RAND_get0_primary(None), params) == 1
    return count.value


def test_restored_instances_reseed_the_random_generators_of_openssl():
    """OpenSSL re-seeds its generator when the process id changes, as in a fork, not in a restore from a snapshot:
    renew() re-seeds both OpenSSLs, libpq's (psycopg2-binary's own copy) and Python's, which priming made."""
    libpq = snapstart.libpq_openssl()
    snapstart.prepare_tls()
    ssl.RAND_bytes(1)
    loaded = {Path(field) for field in Path("/proc/self/maps").read_text().split() if field.startswith("/")}
    beside_libpq = Path(libpq._name).parent
    [python] = [path for path in loaded if path.name.startswith("libcrypto") and path.parent != beside_libpq]
    libraries = {"libpq": libpq, "python": ctypes.CDLL(str(python))}
    before = {name: reseeds(library) for name, library in libraries.items()}
    ssl.RAND_bytes(64)  # drawing does not re-seed
    assert {name: reseeds(library) for name, library in libraries.items()} == before
    snapstart.renew()
    after = {name: reseeds(library) for name, library in libraries.items()}
    assert all(after[name] > before[name] for name in libraries), (before, after)


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


@pytest.mark.lambda_package
def test_a_restored_instances_first_answer_copies_the_pages_it_writes(restored):
    """The runtime stand-in counts each invocation's page faults, which `make bench` reports: the first answer of a
    forked instance writes to pages it shares with the snapshot (each copied then), the second to few new ones."""
    production, restore, _ = restored
    function = restore()
    event = production.api_event("GET", "/accounts/login/", stage="production", host=api_host(production.region))
    first, second = function.invoke(event), function.invoke(event)
    assert first.check()["statusCode"] == second.check()["statusCode"] == 200
    assert first.page_faults > 5 * max(second.page_faults, 1)


@pytest.mark.lambda_package
def test_a_restored_instance_reports_its_restore_and_each_invocations_duration(restored):
    """As Lambda's REPORT line: the first invocation of a restored instance carries its Restore Duration (the fork
    and the after-restore hooks), every invocation its Duration (the handler's); `make bench` splits the first
    answer with them. Both are parts of the time the caller waits."""
    production, restore, _ = restored
    function = restore()
    event = production.api_event("GET", "/accounts/login/", stage="production", host=api_host(production.region))
    start = time.perf_counter()
    first = function.invoke(event)  # forks the instance
    waited = (time.perf_counter() - start) * 1000
    second = function.invoke(event)
    assert first.check()["statusCode"] == second.check()["statusCode"] == 200
    assert first.restore_duration_ms > 0
    assert first.duration_ms > 0
    assert first.restore_duration_ms + first.duration_ms < waited
    assert second.restore_duration_ms is None
    assert second.duration_ms > 0
