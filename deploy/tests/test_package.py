"""
The zip of `make package`, unpacked and run by a clean interpreter (`-I -S -B`) as Lambda runs
it: on PostgreSQL, with the S3 emulator, driven by the events API Gateway and `zappa manage`
send. What runs here is exactly what would be uploaded.
"""

import contextlib
import importlib.util
import json
import re
import urllib.request
import zipfile

import psycopg2
import pytest

from deploy.build import lock_entries
from deploy.package import LOCALE, command_line_only, files, imported_by_the_handler
from local_aws.aws_emulator import AwsEmulator
from local_aws.events import Response, api_host, rest_event
from local_aws.runtime import LocalFunction, unpack
from local_aws.stage import BASE_DIR, Stage, local_secrets

from .support import daily_event
from .visitor import PASSWORD, Visitor, journey

pytestmark = pytest.mark.lambda_package

RUNTIME_PACKAGES = {
    "accounts", "asgiref", "boto3", "botocore", "certifi", "dateutil", "django", "durationpy", "environ",
    "jmespath", "markupsafe", "psycopg2", "s3transfer", "six", "sqlparse", "storages", "todo_site", "todos",
    "urllib3", "werkzeug", "zappa",
}  # fmt: skip


@pytest.fixture(scope="module")
def names(lambda_zip):
    with zipfile.ZipFile(lambda_zip) as package:
        return package.namelist()


@pytest.fixture(scope="module")
def task_root(lambda_zip, tmp_path_factory):
    return unpack(lambda_zip, tmp_path_factory.mktemp("lambda"))


@pytest.fixture(scope="module")
def s3():
    with AwsEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def start_function(task_root, dev, s3, scratch_database):
    """Start the package as a fresh Lambda instance, its environment holding `secrets`."""
    functions = []

    def start(**secrets):
        dev.provide_s3(s3)
        environment = dev.function_environment(s3.url, {**local_secrets(scratch_database), **secrets})
        function = LocalFunction(task_root, environment, timeout=dev.config["timeout_seconds"])
        functions.append(function)
        return function

    yield start
    for function in functions:
        function.close()


@pytest.fixture(scope="module")
def function(start_function):
    return start_function()


@pytest.fixture(scope="module")
def first_steps(function):
    """The README's first steps, through the handler: migrate, then collectstatic."""
    return {
        command: function.invoke({"manage": command}) for command in ("migrate --noinput", "collectstatic --noinput")
    }


@pytest.fixture(scope="module")
def static_url(s3, dev):
    return f"{s3.url}/{dev.static_bucket}/static/"


@pytest.fixture
def visitor(function, first_steps, dev, static_url):
    return Visitor(
        lambda event: function.invoke(event).check(), stage="dev", host=api_host(dev.region), static_url=static_url
    )


def query(database_url, sql, parameters=()):
    with contextlib.closing(psycopg2.connect(database_url)) as connection, connection, connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall() if cursor.description else None


def test_the_package_holds_the_site_its_libraries_and_zappas_handler(names):
    tops = {name.split("/")[0].removesuffix(".py") for name in names}
    assert tops >= RUNTIME_PACKAGES
    for name in [
        "handler.py",
        "zappa_settings.py",
        "django/contrib/staticfiles/management/commands/collectstatic.py",
        "accounts/management/commands/createadmin.py",
        "todos/migrations/0001_initial.py",
        "todos/static/todos/todos.js",
        "todo_site/settings/production.py",
        "todo_site/templates/base.html",
    ]:
        assert name in names


def test_the_package_leaves_out_tests_tooling_and_local_data(names, lambda_zip):
    tops = {name.split("/")[0].split("-")[0] for name in names}
    tooling = {"pytest", "_pytest", "pytest_django", "moto", "playwright", "hypothesis", "ruff", "deploy", "scripts"}
    tooling |= {"bench", "docs", "locust", "node_modules", "package.json", "package-lock.json"}
    cli_only = {"troposphere", "cfn_flip", "setuptools", "pkg_resources", "pip", "click", "yaml", "requests", "tqdm"}
    assert not tops & (tooling | cli_only)
    assert not [name for name in names if "tests" in name.split("/")[:-1] or name.endswith("conftest.py")]
    assert not [name for name in names if name.endswith((".sqlite3", ".zip")) or name.startswith((".", "dist/"))]
    for name in [
        "manage.py",
        "Makefile",
        "README.md",
        "pyproject.toml",
        "zappa_settings.json",
        "requirements.txt",
        "requirements.lock",
    ]:
        assert name not in names
    assert "todo_site/settings/test.py" not in names
    assert not [name for name in names if name.startswith("staticfiles/")]
    assert lambda_zip.stat().st_size < 20 * 10**6


def test_the_package_leaves_out_models_of_aws_services_it_never_calls_and_gettext_sources(names):
    models = {name.split("/")[2] for name in names if name.startswith("botocore/data/") and name.count("/") > 2}
    # S3, SES and Lambda it calls; zappa.asynchronous makes clients of SNS, STS and DynamoDB when imported.
    assert models == {"s3", "ses", "lambda", "sns", "sts", "dynamodb"}
    assert "botocore/data/endpoints.json" in names
    assert not [name for name in names if name.endswith(".po")]
    assert "django/contrib/admin/locale/zh_Hans/LC_MESSAGES/django.mo" in names
    assert "locale/zh_Hans/LC_MESSAGES/django.mo" in names


def test_the_package_keeps_only_the_translations_of_the_sites_languages(names):
    languages = {match["language"] for name in names if (match := LOCALE.search(name))}
    assert languages == {"en", "zh_Hans"}
    assert "django/conf/locale/__init__.py" in names


def test_every_module_has_bytecode_compiled_from_its_packaged_source_that_is_never_rechecked(task_root):
    sources = [path for path in task_root.rglob("*.py") if path.name != "__init__.py" or path.stat().st_size]
    assert len(sources) > 1000
    for source in sources:
        bytecode = source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc"
        header = bytecode.read_bytes()[:16]
        assert int.from_bytes(header[4:8], "little") == 0b01, f"{bytecode} is not unchecked-hash bytecode"
        assert header[8:16] == importlib.util.source_hash(source.read_bytes()), source


def test_the_function_sees_only_the_package_and_the_standard_library(function, task_root):
    code = (
        "import importlib.util, json, sys; print('RUNTIME', json.dumps({'path': sys.path, 'flags': "
        "[sys.flags.isolated, sys.flags.no_site, sys.flags.dont_write_bytecode], 'found': "
        "[name for name in ('pytest', 'moto', 'playwright') if importlib.util.find_spec(name)]}))"
    )
    logs = function.invoke({"raw_command": code}).logs
    runtime = json.loads(re.search(r"^RUNTIME (.*)$", logs, re.MULTILINE).group(1))
    assert runtime["flags"] == [1, 1, 1]
    assert runtime["found"] == []
    assert runtime["path"][0] == str(task_root)
    assert not [entry for entry in runtime["path"] if "site-packages" in entry]


def test_migrate_creates_the_schema_on_an_empty_database(first_steps, scratch_database):
    migration = first_steps["migrate --noinput"]
    assert migration.check() == {}
    assert "Applying todos.0001_initial... OK" in migration.logs
    tables = {row[0] for row in query(scratch_database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"accounts_user", "todos_todo", "django_session"} <= tables


def test_collectstatic_puts_hashed_files_in_the_bucket(first_steps, s3, dev):
    collection = first_steps["collectstatic --noinput"]
    collection.check()
    assert re.search(r"\d+ static files copied", collection.logs)
    keys = {item["Key"] for item in s3.client().list_objects_v2(Bucket=dev.static_bucket)["Contents"]}
    assert "static/staticfiles.json" in keys
    assert [key for key in keys if re.fullmatch(r"static/todos/todos\.[0-9a-f]{12}\.js", key)]


def test_the_packaged_manifest_is_the_one_collectstatic_writes_to_the_bucket(first_steps, s3, dev, lambda_zip):
    first_steps["collectstatic --noinput"].check()
    stored = s3.client().get_object(Bucket=dev.static_bucket, Key="static/staticfiles.json")["Body"].read()
    with zipfile.ZipFile(lambda_zip) as package:
        packaged = package.read("todo_site/staticfiles.json")
    assert json.loads(packaged)["paths"] == json.loads(stored)["paths"]
    assert "todos/todos.js" in json.loads(packaged)["paths"]


def test_a_cold_start_renders_pages_without_calling_s3(task_root, dev, scratch_database, first_steps):
    """Static URLs come from the packaged manifest: with S3 unreachable the pages still name hashed files."""
    unreachable = "http://127.0.0.1:9"
    function = LocalFunction(task_root, dev.function_environment(unreachable, local_secrets(scratch_database)))
    try:
        event = rest_event("GET", "/accounts/login/", stage="dev", host=api_host(dev.region))
        response = Response.from_result(function.invoke(event).check())
    finally:
        function.close()
    assert response.status == 200
    assert re.search(rf'href="{unreachable}/{dev.static_bucket}/static/css/site\.[0-9a-f]{{12}}\.css"', response.text)


def test_the_journey_through_the_package_and_its_static_files(visitor, static_url, task_root):
    files_before = sorted(task_root.rglob("*"))
    journey(visitor)

    login = visitor.page(visitor.url("login"))
    (stylesheet,) = [url for url in login.urls if url.startswith(static_url) and url.endswith(".css")]
    with urllib.request.urlopen(stylesheet) as response:  # noqa: S310 - the emulator's http URL
        assert response.read() == (BASE_DIR / "todo_site" / "static" / "css" / "site.css").read_bytes()
    assert sorted(task_root.rglob("*")) == files_before, "the function wrote into its read-only code folder"


def test_check_deploy_passes_with_production_values(start_function):
    """With a real SMTP server configured (console e-mail is refused for production)."""
    function = start_function(EMAIL_URL="smtp+tls://AKIAEXAMPLE:secret@email-smtp.us-east-1.amazonaws.com:587")
    invocation = function.invoke({"manage": "check --deploy --fail-level WARNING"})
    invocation.check()
    assert "System check identified no issues" in invocation.logs


@pytest.mark.parametrize("event", [{"manage": "clearsessions"}, daily_event(Stage("dev"))], ids=["manage", "daily"])
def test_expired_sessions_are_deleted(function, first_steps, scratch_database, event):
    query(scratch_database, "DELETE FROM django_session")
    query(
        scratch_database,
        "INSERT INTO django_session VALUES ('expired', '', now() - interval '1 day'), "
        "('live', '', now() + interval '1 day')",
    )
    function.invoke(event).check()
    assert query(scratch_database, "SELECT session_key FROM django_session") == [("live",)]


def test_the_daily_event_also_deletes_expired_throttle_rows(function, first_steps, scratch_database):
    query(scratch_database, "DELETE FROM accounts_attempt")
    query(scratch_database, "DELETE FROM accounts_loginlock")
    query(
        scratch_database,
        "INSERT INTO accounts_attempt (action, key, address, device, at) VALUES "
        "('login', 'old@example.com', '203.0.113.7', '', now() - interval '2 days'), "
        "('signup', '', '203.0.113.7', '', now() - interval '2 days'), "
        "('login', 'recent@example.com', '203.0.113.7', '', now() - interval '1 hour')",
    )
    query(
        scratch_database,
        "INSERT INTO accounts_loginlock (key, locked_at) VALUES "
        "('old@example.com', now() - interval '2 days'), ('recent@example.com', now() - interval '1 hour')",
    )
    function.invoke(daily_event(Stage("dev"))).check()
    assert query(scratch_database, "SELECT key FROM accounts_attempt") == [("recent@example.com",)]
    assert query(scratch_database, "SELECT key FROM accounts_loginlock") == [("recent@example.com",)]


def test_the_first_administrator_chooses_a_password_that_no_log_ever_shows(function, visitor):
    site = f"https://{visitor.host}/dev"
    logs = []

    def invoke(event):
        invocation = function.invoke(event)
        logs.append(invocation.logs)
        return invocation.check()

    visitor.invoke = invoke
    invoke({"manage": f"createadmin root@example.com {site}"})
    link = re.search(rf"^{re.escape(site)}(/\S+)$", logs[0], re.MULTILINE).group(1)
    set_password = visitor.follow(visitor.get(f"/dev{link}"))
    response = visitor.submit(set_password, "", new_password1=PASSWORD, new_password2=PASSWORD)
    assert response.header("Location") == visitor.url("password_reset_complete")

    login = visitor.page(visitor.url("admin:login"))
    response = visitor.submit(login, visitor.url("admin:login"), username="root@example.com", password=PASSWORD)
    assert response.header("Location") == visitor.url("admin:index")
    assert "Site administration" in visitor.get(visitor.url("admin:index")).text
    assert not [log for log in logs if PASSWORD in log]


def test_zappas_command_line_only_dependencies_are_derived_from_its_metadata():
    """What Zappa requires for `zappa deploy` but its handler never imports, from Zappa's own metadata."""
    left_out = command_line_only()
    assert {"click", "troposphere", "requests", "pip", "tqdm"} <= set(left_out)
    needed = imported_by_the_handler()
    assert {"werkzeug", "boto3", "durationpy"} <= needed
    assert not needed & set(left_out)


@pytest.mark.lambda_package
def test_the_zip_holds_what_zappas_handler_imports_and_nothing_only_its_command_line_uses(lambda_zip):
    with zipfile.ZipFile(lambda_zip) as archive:
        names = set(archive.namelist())
    assert names & files(command_line_only()) == set()
    assert not [name for name in names if name.split("/")[0] in ("click", "troposphere", "requests", "pip", "yaml")]
    # The zip is built from requirements.lock. A distribution installed only in this development environment is
    # not the zip's, though the handler imports it here (brotli, which urllib3 imports when it is installed).
    locked = set(lock_entries((BASE_DIR / "requirements.lock").read_text()))
    for distribution in imported_by_the_handler() & locked:
        # Less the tests folders the settings leave out ("*/tests" in exclude_glob).
        shipped = {path for path in files([distribution]) if path.endswith(".py") and "/tests/" not in path}
        assert shipped, distribution
        assert shipped - names == set(), distribution
