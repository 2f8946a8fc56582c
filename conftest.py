import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import environ
import pytest
from hypothesis import settings as hypothesis_settings

# Property tests: a modest number of examples and no per-example deadline, so that both database
# legs stay quick and a busy CI machine cannot fail a slow example; print_blob tells how to replay.
hypothesis_settings.register_profile("suite", max_examples=50, deadline=None, print_blob=True)
hypothesis_settings.load_profile("suite")

PASSWORD = "correct horse battery staple"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(email="ann@example.com", password=PASSWORD)


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user(email="bob@example.com", password=PASSWORD)


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (which never downloads a browser of its own here).

    Module-scoped: Playwright's sync API keeps an event loop running in the test thread while
    the browser is open, which Django allows ORM calls beside only with DJANGO_ALLOW_ASYNC_UNSAFE.
    """
    executable = shutil.which("chromium")
    if executable is None:
        message = "Chromium is not installed (apt-get install chromium chromium-driver)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    # Generous waits: CI runs on two busy cores.
    expect.set_options(timeout=15_000)
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Open pages, each in a fresh browser context (its own cookies): new_page(java_script_enabled=False)."""
    contexts = []

    def new_page(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


@pytest.fixture
def statements():
    """statements(call): call's result and the round trips to the database it made, each as its SQL.

    A test runs inside a transaction of its own, so a transaction the site opens (transaction.atomic())
    shows here as SAVEPOINT and RELEASE SAVEPOINT: they stand for the BEGIN and COMMIT it sends in
    production, each a round trip like any statement, and are counted as such.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(call):
        with CaptureQueriesContext(connection) as captured:
            result = call()
        return result, [query["sql"] for query in captured]

    return statements


# The Lambda package and a database of its own, for the tests of the package (deploy/tests) and of the
# local stand-ins it runs on (local_aws/tests).
def pytest_collection_modifyitems(config, items):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    skip = pytest.mark.skip(reason="builds the Lambda package: runs once, in the PostgreSQL leg")
    for item in items:
        if item.get_closest_marker("lambda_package"):
            item.add_marker(skip)


def build_package(stage, architecture=None):
    """The stage's package, built by `make package` as the README says: for this machine, as `make lambda-local`
    builds it, or for `architecture`."""
    from deploy.build import machine_architecture, output_path

    architecture = architecture or machine_architecture()
    result = subprocess.run(
        ["make", "--no-print-directory", "package", f"STAGE={stage}", f"ARCH={architecture}"],
        cwd=Path(__file__).resolve().parent,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output_path(stage, architecture)


@pytest.fixture(scope="session")
def lambda_zip():
    """The dev stage's package."""
    return build_package("dev")


@pytest.fixture(scope="session")
def production_zip():
    """The production stage's package: the zip that `make lambda-local STAGE=production` serves and that is deployed."""
    return build_package("production")


@pytest.fixture(scope="module")
def scratch_database(request):
    """A PostgreSQL database of its own on the server of DATABASE_URL, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs a PostgreSQL server: set DATABASE_URL")
    from local_aws.stage import create_database, drop_database

    name = f"zappa_{environ.Env.db_url_config(url)['NAME']}_{request.module.__name__.rsplit('.', 1)[-1]}"
    scratch_url = urlsplit(url)._replace(path=f"/{name}").geturl()
    drop_database(scratch_url)
    create_database(scratch_url)
    yield scratch_url
    drop_database(scratch_url)
