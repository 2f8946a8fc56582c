import os
import shutil

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
    """statements(call): call's result and the SQL it ran, without the savepoints of the test's own transaction."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(call):
        with CaptureQueriesContext(connection) as captured:
            result = call()
        return result, [query["sql"] for query in captured if "SAVEPOINT" not in query["sql"]]

    return statements
