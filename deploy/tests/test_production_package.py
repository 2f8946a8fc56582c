"""
The production stage's zip, the one that is deployed: served by `make lambda-local STAGE=production`
and reached over HTTP as a browser reaches it, then run by several Lambda containers at once.

As on AWS, the function reaches its database through the RDS Proxy stand-in (PgBouncer in
transaction pooling mode), and the database is small: a server of its own whose connection limit
is far below the number of instances the visitors bring, logging every statement it receives.
The local API Gateway hands the function what the real one would (https, the execute-api Host)
and passes its answer on as it is, but for a Location on the API's own origin: the headers and
cookies checked here are the ones the packaged handler sent.
"""

import ast
import contextlib
import datetime
import http.client
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from functools import partial
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import psycopg2
import pytest
from django.conf import settings
from django.test.utils import override_script_prefix
from django.urls import reverse

from deploy.build import machine_architecture
from local_aws.aws_emulator import local_client
from local_aws.database import PgBouncer, ThrowawayPostgres
from local_aws.events import api_host
from local_aws.invoke import counts
from local_aws.lambda_local import background as lambda_local_in_background
from local_aws.runtime import LocalFunction, unpack
from local_aws.stage import Stage, local_secrets
from todo_site.tests.concurrency import run_together
from todos.tests.journeys import (
    add,
    expect_titles,
    journey_with_javascript,
    journey_with_lists,
    journey_without_javascript,
    sign_up,
)

from .support import mailed
from .visitor import PASSWORD, Visitor, journey

pytestmark = pytest.mark.lambda_package
ONE_YEAR = 365 * 24 * 60 * 60
# Server connections of lambda-local's proxy, and of the one in front of the four containers.
PROXY_POOL = 4
CONTAINERS_PROXY_POOL = 3


@pytest.fixture(scope="module")
def production():
    return Stage("production")


@pytest.fixture(scope="module")
def database():
    """The stage's database: 12 connections, 9 of them for the site's role, every statement logged."""
    logged = {"log_statement": "'all'", "log_line_prefix": "'%u '"}
    with ThrowawayPostgres(max_connections=12, settings=logged) as server:
        yield server


def test_the_zip_runs_the_production_settings_with_zappas_debug_off_and_warnings_only(production_zip):
    """What the handler reads at start, as generated into the package from the production stage."""
    with zipfile.ZipFile(production_zip) as package:
        lines = package.read("zappa_settings.py").decode().splitlines()
    packaged = {name: ast.literal_eval(value) for name, _, value in (line.partition("=") for line in lines) if value}
    assert packaged["API_STAGE"] == "production"
    assert packaged["DJANGO_SETTINGS"] == "todo_site.settings.production"
    assert packaged["DEBUG"] is False
    assert packaged["LOG_LEVEL"] == "WARNING"


@pytest.fixture(scope="module")
def lambda_local_log(tmp_path_factory):
    return tmp_path_factory.mktemp("lambda-local") / "stderr.log"


@pytest.fixture(scope="module")
def lambda_local(production_zip, database, lambda_local_log):
    """`make lambda-local STAGE=production` with a proxy of PROXY_POOL connections; yields the site's and S3's URL."""
    options = ["--proxy-pool", str(PROXY_POOL)]
    log = lambda_local_log
    with lambda_local_in_background(production_zip, database.url, log, stage="production", options=options) as urls:
        yield urls


def url(name, *args):
    """The path of a named URL under the production stage's prefix."""
    with override_script_prefix("/production/"):
        return reverse(name, args=args)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def cookies(self):
        """The cookies this answer sets, by name, with their attributes."""
        cookies = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return cookies


class HttpVisitor:
    """A visitor talking HTTP to the local API Gateway: it keeps its cookies and posts forms with
    the CSRF token and its Origin, as a browser does; it follows no redirect.

    It connects from `address`, any of 127.0.0.0/8, which the gateway reports as the client's.
    """

    def __init__(self, site, *, address="127.0.0.1"):
        self.site = urlsplit(site)
        self.address = address
        self.cookies = {}
        self.replies = []

    def request(self, method, path, *, fields=None, headers=()):
        sent = {"Accept": "text/html", **dict(headers)}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields})
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"{self.site.scheme}://{self.site.netloc}"
        connection = http.client.HTTPConnection(
            self.site.hostname, self.site.port, timeout=60, source_address=(self.address, 0)
        )
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read().decode())
        finally:
            connection.close()
        for name, morsel in reply.cookies().items():
            if morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
        self.replies.append(reply)
        return reply

    def get(self, path, **options):
        return self.request("GET", path, **options)

    def post(self, path, headers=(), **fields):
        return self.request("POST", path, fields=fields, headers=headers)


def sign_up_over_http(site, email, address="127.0.0.1"):
    visitor = HttpVisitor(site, address=address)
    visitor.get(url("signup"))
    reply = visitor.post(url("signup"), email=email, password1=PASSWORD, password2=PASSWORD)
    assert reply.status == 302, reply.text
    return visitor


@pytest.fixture(scope="module")
def member(lambda_local):
    """A visitor who has just signed up (and so is logged in)."""
    site = lambda_local.site
    return sign_up_over_http(site, "dora@example.com")


def content_security_policy(header):
    directives = [directive.split() for directive in header.split(";") if directive.strip()]
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize(
    ("send", "status"),
    [
        (lambda member: member.get(url("todos:list")), 200),
        (lambda member: HttpVisitor(member.site.geturl()).get(url("todos:list")), 302),
        (lambda member: member.get("/production/no-such-page/"), 404),
        (lambda member: member.post(url("todos:list"), [("Accept", "application/json")], title="milk"), 201),
        (lambda member: member.get(url("healthz")), 200),
    ],
    ids=["page", "redirect", "not-found", "json", "healthz"],
)
def test_every_response_carries_hsts_and_the_security_headers(member, lambda_local, send, status):
    static_origin = lambda_local.static
    reply = send(member)
    assert reply.status == status

    max_age, *hsts_options = reply.headers["Strict-Transport-Security"].split("; ")
    assert int(max_age.removeprefix("max-age=")) >= ONE_YEAR
    assert "includeSubDomains" in hsts_options
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert reply.headers["Referrer-Policy"] == "same-origin"
    policy = content_security_policy(reply.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert static_origin in policy[directive]
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(policy[directive])


def test_the_session_and_device_cookies_are_httponly_and_secure_and_the_csrf_cookie_secure(member):
    """As Django set them behind Zappa: the gateway passes each Set-Cookie on unchanged."""
    signup_page, signed_up = member.replies[:2]
    csrf_cookie = signup_page.cookies()["csrftoken"]
    assert csrf_cookie["secure"]
    session_cookie = signed_up.cookies()["sessionid"]
    assert session_cookie["httponly"]
    assert session_cookie["secure"]
    assert session_cookie["samesite"] == "Lax"
    device_cookie = signed_up.cookies()["device"]
    assert device_cookie["httponly"]
    assert device_cookie["secure"]
    assert device_cookie["samesite"] == "Strict"


def refusal(reply):
    """Which refusal a log-in got: "locked", "invalid", or the answer itself when it was neither."""
    if reply.status == 200 and "Too many failed log-ins for this account from your network." in reply.text:
        return "locked"
    if reply.status == 200 and "do not match an account" in reply.text:
        return "invalid"
    return reply.status, reply.headers.get("Location"), reply.text[:500]


def test_failed_log_ins_refuse_the_address_they_come_from_whatever_it_claims(lambda_local):
    """Every attempt from one address claims another in X-Forwarded-For: that address is refused, and the
    owner still logs in from another one."""
    site = lambda_local.site
    sign_up_over_http(site, "erin@example.com")

    def log_in(password, address, claimed):
        visitor = HttpVisitor(site, address=address)
        headers = [("X-Forwarded-For", claimed)]
        visitor.get(url("login"), headers=headers)
        return visitor.post(url("login"), headers, username="erin@example.com", password=password)

    limit = settings.THROTTLES["login_account_address"]["limit"]
    failures = [refusal(log_in("not the password", "127.0.0.10", f"192.0.2.{n}")) for n in range(limit)]
    assert failures == ["invalid"] * (limit - 1) + ["locked"]
    right_password_here = log_in(PASSWORD, "127.0.0.10", "127.0.0.11")
    assert refusal(right_password_here) == "locked"
    assert "sessionid" not in right_password_here.cookies()
    assert log_in(PASSWORD, "127.0.0.11", "127.0.0.10").status == 302


@pytest.fixture(scope="module")
def task_root(production_zip, tmp_path_factory):
    return unpack(production_zip, tmp_path_factory.mktemp("lambda"))


@pytest.fixture(scope="module")
def proxy(database):
    """Another RDS Proxy stand-in in front of the stage's database, for the containers started by the tests."""
    with PgBouncer(database.url, pool_size=CONTAINERS_PROXY_POOL) as bouncer:
        yield bouncer


@pytest.fixture
def containers(task_root, production, lambda_local, proxy):
    """Four Lambda containers of the production function, each its own clean interpreter.

    They share what Lambda gives every container of one function: its environment and secrets,
    the proxy to the database lambda-local has migrated, the S3 API and the static files' distribution.
    """
    environment = production.function_environment(
        lambda_local.aws, local_secrets(proxy.url), static_url=f"{lambda_local.static}/static/"
    )
    functions = [LocalFunction(task_root, environment, timeout=production.config["timeout_seconds"]) for _ in range(4)]
    yield functions
    for function in functions:
        function.close()


def query(database_url, sql, parameters=()):
    with contextlib.closing(psycopg2.connect(database_url)) as connection, connection, connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def test_concurrent_containers_lose_no_todo_no_tick_and_no_rename(containers, production, database, lambda_local):
    """Two visitors' requests spread over four containers at once: each container adds todos for both; then
    each ticks every other one of its todos while the next container renames them. Nothing is lost."""
    owners = ["fay@example.com", "gus@example.com"]
    todos = 8

    def visitor_on(function, cookies=()):
        visitor = Visitor(
            lambda event: function.invoke(event).check(),
            stage="production",
            host=api_host(production.region),
            event=production.api_event,
            static_url=f"{lambda_local.static}/static/",
        )
        visitor.cookies = dict(cookies)
        return visitor

    sessions = {}
    for owner in owners:
        visitor = visitor_on(containers[0])
        signup = visitor.page(visitor.url("signup"))
        visitor.submit(signup, visitor.url("signup"), email=owner, password1=PASSWORD, password2=PASSWORD)
        sessions[owner] = visitor.cookies

    def add_todos(number, function):
        """Container `number` adds its todos for both visitors; returns their ids."""
        visitors = {owner: visitor_on(function, sessions[owner]) for owner in owners}
        ids = {owner: [] for owner in owners}
        for n in range(todos):
            for owner, visitor in visitors.items():
                response, data = visitor.post_json(visitor.url("todos:list"), title=f"todo {n} of container {number}")
                assert response.status == 201, data
                ids[owner].append(data["todo"]["id"])
        return ids

    jobs = [partial(add_todos, number, function) for number, function in enumerate(containers)]
    added = run_together(jobs, threads=len(jobs))

    def tick_and_rename(number, function):
        """Container `number` ticks its own even todos and renames the previous container's; every other
        container does the two in the other order, so that each todo is ticked and renamed at the same moment."""
        visitors = {owner: visitor_on(function, sessions[owner]) for owner in owners}
        previous = (number - 1) % len(containers)
        for n in range(todos):
            for owner, visitor in visitors.items():
                tick = ("todos:toggle", added[number][owner][n], {"completed": "true" if n % 2 == 0 else "false"})
                rename = (
                    "todos:edit",
                    added[previous][owner][n],
                    {"title": f"todo {n} of container {previous}, renamed"},
                )
                for name, pk, fields in [tick, rename] if number % 2 == 0 else [rename, tick]:
                    response, data = visitor.post_json(visitor.url(name, pk), **fields)
                    assert response.status == 200, data

    jobs = [partial(tick_and_rename, number, function) for number, function in enumerate(containers)]
    run_together(jobs, threads=len(jobs))

    for owner in owners:
        rows = query(
            database.url,
            "SELECT todo.title, todo.completed FROM todos_todo todo"
            " JOIN accounts_user owner ON owner.id = todo.owner_id WHERE owner.email = %s",
            [owner],
        )
        assert sorted(rows) == sorted(
            (f"todo {n} of container {number}, renamed", n % 2 == 0)
            for number in range(len(containers))
            for n in range(todos)
        )


def test_a_burst_of_new_visitors_gets_through_many_instances_within_the_databases_limit(
    lambda_local, lambda_local_log, database
):
    """Forty visitors, each from an address of its own, sign up and add a todo at the same moment, and then forty
    more: more instances run than the database has connections for, every password is hashed (Argon2id, a
    large share of a CPU each), and the proxy's few connections serve them all, since none waits on a hash."""
    site = lambda_local.site
    visitors = 40

    def visit(number):
        visitor = HttpVisitor(site, address=f"127.0.1.{number + 1}")
        title = f"todo of visitor {number}"
        statuses = [visitor.get(url("signup")).status]
        reply = visitor.post(url("signup"), email=f"crowd{number}@example.com", password1=PASSWORD, password2=PASSWORD)
        statuses.append(reply.status)
        statuses.append(visitor.post(url("todos:list"), [("Accept", "application/json")], title=title).status)
        reply = visitor.get(url("todos:list"))
        statuses.append(reply.status)
        return statuses, title in reply.text

    with database.sampled_connections() as connections:
        for first in (0, visitors):
            jobs = [partial(visit, number) for number in range(first, first + visitors)]
            assert run_together(jobs, threads=visitors) == [([200, 302, 201, 200], True)] * visitors

    log = lambda_local_log.read_text()
    # Production starts instances from SnapStart's snapshot; its stand-in here forks them from a primed interpreter.
    assert f"Built for {machine_architecture()} (this machine); the stage is deployed on arm64" in log
    cold_starts = re.findall(r"^Cold start: a restored instance .*\((\d+) running\)$", log, re.MULTILINE)
    assert max(int(running) for running in cold_starts) > database.connection_limit
    assert 0 < connections.peak <= PROXY_POOL + CONTAINERS_PROXY_POOL <= database.connection_limit


def test_a_signed_in_visitors_list_keeps_loading_through_a_flood_of_log_ins(lambda_local, member):
    """Many addresses post log-ins to addresses that have no account, each one hashed, while a member reads
    their list: every page of the member's arrives."""
    site = lambda_local.site
    flooders, posts = 24, 3

    def flood(number):
        visitor = HttpVisitor(site, address=f"127.0.2.{number + 1}")
        visitor.get(url("login"))
        replies = [
            visitor.post(url("login"), username=f"guess{number}-{n}@example.com", password="123456")
            for n in range(posts)
        ]
        return [refusal(reply) for reply in replies]

    def read_the_list(_):
        return [member.get(url("todos:list")).status for _ in range(6)]

    jobs = [partial(flood, number) for number in range(flooders)] + [partial(read_the_list, None)]
    *floods, pages = run_together(jobs, threads=len(jobs))
    assert floods == [["invalid"] * posts] * flooders
    assert pages == [200] * 6


# What pins a client connection of RDS Proxy for PostgreSQL to one database connection for the rest of its
# session (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-pinning.html): SET (Django's
# time zone included) and RESET, prepared statements, DISCARD, cursors, LISTEN, LOAD, temporary tables,
# sequences and views, nextval() and setval(), advisory locks, set_config(), and any statement over 16 KB.
PINNING = re.compile(
    r"^(?:SET|RESET|PREPARE|EXECUTE|DEALLOCATE|DISCARD|DECLARE|LISTEN|LOAD|CREATE (?:TEMP|TEMPORARY) )"
    r"|\b(?:nextval|setval|pg_advisory_lock|pg_try_advisory_lock|set_config)\(",
    re.IGNORECASE,
)
STATEMENT_LIMIT = 16 * 1024


def pins(statement):
    return bool(PINNING.search(statement)) or len(statement.encode()) > STATEMENT_LIMIT


@pytest.mark.parametrize(
    "statement",
    [
        "SET TIME ZONE 'UTC'",
        "SELECT set_config('TimeZone', 'UTC', false)",
        "set search_path to todo",
        'DECLARE "_django_curs_1_sync_1" NO SCROLL CURSOR WITH HOLD FOR SELECT 1',
        "SELECT pg_advisory_lock(42)",
        "CREATE TEMPORARY TABLE t (id int)",
        "SELECT nextval('todos_todo_id_seq')",
        f"SELECT '{'x' * STATEMENT_LIMIT}'",
    ],
    ids=["set", "set_config", "search_path", "cursor", "advisory_lock", "temporary_table", "nextval", "over_16_kb"],
)
def test_statements_that_pin_a_proxy_connection_are_recognised(statement):
    assert pins(statement)


def site_statements(database, since):
    """The statements the site's role sent the database after byte `since` of its log, each whole."""
    with database.log.open("rb") as log:
        log.seek(since)
        lines = log.read().decode(errors="replace").splitlines()
    prefix = f"{database.user} LOG:  statement: "
    statements = []
    for line in lines:
        if line.startswith(prefix):
            statements.append(line.removeprefix(prefix))
        elif line.startswith("\t") and statements:
            statements[-1] += "\n" + line[1:]
    return statements


def test_the_whole_journey_sends_nothing_that_would_pin_a_proxy_connection(
    task_root, production, lambda_local, proxy, database
):
    """Every page and action of the site, through the packaged function and the proxy, as the database receives them."""
    since = database.log.stat().st_size
    environment = production.function_environment(
        lambda_local.aws, local_secrets(proxy.url), static_url=f"{lambda_local.static}/static/"
    )
    function = LocalFunction(task_root, environment)
    try:
        visitor = Visitor(
            lambda event: function.invoke(event).check(),
            stage="production",
            host=api_host(production.region),
            event=production.api_event,
            static_url=f"{lambda_local.static}/static/",
        )
        journey(visitor, email="ivy@example.com")
    finally:
        function.close()

    statements = site_statements(database, since)
    assert len([statement for statement in statements if "todos_todo" in statement]) > 20
    assert [statement for statement in statements if pins(statement)] == []


@pytest.mark.browser
def test_chromium_runs_the_todo_page_with_scripts_from_cloudfront_without_a_csp_violation(lambda_local, new_page):
    """The scripts come from the stand-in of the stage's CloudFront distribution, the only reader of the bucket."""
    site, static_origin, *_ = lambda_local
    page = new_page()
    scripts = []
    page.on("response", lambda response: response.request.resource_type == "script" and scripts.append(response))
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))

    sign_up(page, f"{site}accounts/signup/", "hal@example.com")
    page.evaluate("window.notReloaded = true")
    add(page, "added by the script")
    expect_titles(page, ["added by the script"])

    assert violations == []
    assert {(response.url.startswith(f"{static_origin}/"), response.status) for response in scripts} == {(True, 200)}
    assert [response for response in scripts if re.search(r"/static/todos/todos\.[0-9a-f]{12}\.js$", response.url)]
    assert page.evaluate("window.notReloaded") is True, "the todo was not added by the page's script"


@pytest.mark.browser
def test_the_todomvc_journeys_in_chromium_through_the_http_api(lambda_local, new_page):
    """Production is an HTTP API (payload 2.0): its cookies, form posts and JSON answers, in a browser."""
    site = lambda_local.site
    assert Stage("production").http_api
    journey_with_javascript(new_page(), f"{site}accounts/signup/", email="joy@example.com")
    journey_without_javascript(new_page(java_script_enabled=False), f"{site}accounts/signup/", email="kim@example.com")
    journey_with_lists(new_page(), f"{site}accounts/signup/", email="lee@example.com")


def test_every_instance_signed_in_to_the_proxy_with_an_iam_token_and_nothing_was_refused(
    lambda_local, lambda_local_log, member
):
    """The journeys above ran through the proxy's IAM stand-in, which refuses a connection without a valid token
    (and logs why): the function holds no database password to fall back on."""
    assert member.get(url("todos:list")).status == 200
    log = lambda_local_log.read_text()
    assert "signed in to with IAM tokens over verified TLS" in log
    assert "Refused a connection" not in log


def test_outside_the_stage_the_http_api_answers_not_found(lambda_local):
    site = lambda_local.site
    reply = HttpVisitor(site).get("/elsewhere/")
    assert (reply.status, json.loads(reply.text)) == (404, {"message": "Not Found"})


def mails_to(address):
    """The e-mails the production stage's SES accepted for `address`, as lambda-local wrote them."""
    return [message for message in mailed("production") if message["To"] == address]


def asynchronous_work_done(lambda_local):
    return counts(lambda_local.lambda_api, 120)


def make_invoke(lambda_local, function):
    """What `make invoke STAGE=production FUNCTION=...` runs, against this lambda-local's Lambda API."""
    command = [sys.executable, "-m", "local_aws.invoke", "--stage", "production", "--function", function]
    command += ["--endpoint", lambda_local.lambda_api, "--timeout", "120"]
    return subprocess.run(command, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=200)


def test_the_digest_invoked_twice_leaves_one_e_mail_that_unsubscribes_in_one_click(lambda_local):
    reader = sign_up_over_http(lambda_local.site, "early@example.com", address="127.0.4.1")
    reply = reader.post(url("account_settings"), time_zone="UTC", digest_hour="0")
    assert reply.status == 302, reply.text
    yesterday = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)).date()
    assert reader.post(url("todos:list"), title="Water the plants", due=yesterday.isoformat()).status == 302

    for _ in range(2):
        invoked = make_invoke(lambda_local, "todo_site.tasks.daily_digests")
        assert invoked.returncode == 0, invoked.stdout + invoked.stderr
    (digest,) = mails_to("early@example.com")
    assert digest["Subject"] == "1 todo due today or overdue"
    assert "Water the plants (Todos, 1 day overdue)" in digest.get_content()
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The mail client's one-click unsubscribe: a bare POST, no cookie, no token but the link's.
    link = urlsplit(digest["List-Unsubscribe"].strip("<>"))
    assert (
        f"{link.scheme}://{link.netloc}"
        == f"{urlsplit(lambda_local.site).scheme}://{urlsplit(lambda_local.site).netloc}"
    )
    connection = http.client.HTTPConnection(link.hostname, link.port, timeout=60)
    body = "List-Unsubscribe=One-Click"
    connection.request("POST", link.path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert connection.getresponse().status == 200
    connection.close()
    assert '<option value="" selected>' in reader.get(url("account_settings")).text


def test_a_password_reset_answers_at_once_and_its_e_mail_arrives(lambda_local):
    visitor = HttpVisitor(lambda_local.site, address="127.0.4.2")
    sign_up_over_http(lambda_local.site, "forgetful@example.com", address="127.0.4.3")
    before = asynchronous_work_done(lambda_local)["accepted"]
    visitor.get(url("password_reset"))
    assert visitor.post(url("password_reset"), email="forgetful@example.com").status == 302
    counts = asynchronous_work_done(lambda_local)
    assert counts["accepted"] == before + 1
    (message,) = mails_to("forgetful@example.com")
    assert re.search(r"/production/accounts/password/reset/\S+/\S+/", message.get_content())


def test_a_task_that_keeps_failing_is_retried_twice_then_kept_in_the_dead_letter_queue(lambda_local, production):
    """An e-mail from an address SES has not verified fails each time: Lambda's two retries, then the queue."""
    message = {
        "subject": "s",
        "body": "b",
        "from_email": "todo@unverified.example",
        "to": ["x@example.com"],
        "headers": {},
    }
    event = {"command": "zappa.asynchronous.route_lambda_task", "task_path": "accounts.mail.deliver"}
    event.update(capture_response=False, response_id=None, args=[message], kwargs={})
    before = asynchronous_work_done(lambda_local)
    client = local_client("lambda", lambda_local.lambda_api)
    assert (
        client.invoke(FunctionName=production.lambda_name, InvocationType="Event", Payload=json.dumps(event))[
            "StatusCode"
        ]
        == 202
    )
    after = asynchronous_work_done(lambda_local)
    assert (after["retried"] - before["retried"], after["dead_lettered"] - before["dead_lettered"]) == (2, 1)
    sqs = local_client("sqs", lambda_local.aws)
    queue = sqs.get_queue_url(QueueName=production.dead_letter_queue)["QueueUrl"]
    (kept,) = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(kept["Body"]) == event
    assert (
        "Did not have authority to send from email todo@unverified.example"
        in (kept["MessageAttributes"]["ErrorMessage"]["StringValue"])
    )
