"""The Content-Security-Policy holds in Chromium: the pages work and the browser reports no violation."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from todos.models import Todo
from todos.tests.journeys import journey_with_javascript

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_page(new_page):
    """A page that records every Content-Security-Policy violation Chromium reports in its console."""
    page = new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text),
    )
    return page


def test_an_inline_script_is_refused_and_reported(csp_page, live_server):
    csp_page.goto(live_server.url + reverse("home"))
    with csp_page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        csp_page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.inlineRan = true;";
                document.head.append(script);
            }"""
        )
    assert csp_page.evaluate("window.inlineRan") is None
    assert "script-src" in csp_page.csp_violations[0]


def test_the_todo_journey_runs_without_a_violation(csp_page, live_server):
    journey_with_javascript(csp_page, live_server.url + reverse("signup"))
    assert csp_page.csp_violations == []


def test_the_admin_works_without_a_violation(csp_page, live_server, django_user_model, password):
    admin = django_user_model.objects.create_superuser(email="root@example.com", password=password)
    todo = Todo.objects.create(owner=admin, title="check the admin")
    page = csp_page
    page.goto(live_server.url + reverse("admin:index"))
    page.get_by_label("Email").fill("root@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    page.goto(live_server.url + reverse("admin:todos_todo_changelist"))
    expect(page.get_by_role("link", name="check the admin")).to_be_visible()
    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    expect(page.locator(".action-counter")).to_have_text(re.compile("1 of 1 selected"))

    page.get_by_role("link", name="check the admin").click()
    expect(page).to_have_url(re.compile(reverse("admin:todos_todo_change", args=[todo.pk]) + "$"))
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-results")).to_contain_text("root@example.com")
    page.keyboard.press("Escape")
    page.get_by_label("Title").fill("checked in the admin")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    todo.refresh_from_db()
    assert todo.title == "checked in the admin"
    assert page.csp_violations == []
