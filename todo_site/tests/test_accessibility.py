"""WCAG 2.2 AA in Chromium: axe-core finds no violation, of any impact, on any page or state a visitor or a signed-in
user can reach, in English and in Chinese, with and without JavaScript and on a phone; and the keyboard reaches
every action of the list, each with a visible focus."""

import os
import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from todos.models import Todo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
LOCALES = {"en": "en-US", "zh-hans": "zh-CN"}
PHONE = {"width": 375, "height": 667}


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        message = "axe-core is not installed (npm ci, as scripts/test does)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


@pytest.fixture
def audit(axe_source):
    """Run axe on a page as its visitor sees it; collects every violation under the state's name."""
    found = {}

    def audit(page, state):
        # A click's navigation is committed before its stylesheet applies: audited then, the page would be laid out
        # without its styles (axe's target-size then finds the unstyled buttons crowded), so wait for the load event.
        page.wait_for_load_state("load")
        # Evaluated as a script, not added as a <script> element, which the Content-Security-Policy refuses.
        page.evaluate(axe_source)
        results = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            TAGS,
        )
        found[state] = [
            f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
            for violation in results["violations"]
        ]
        assert results["passes"] or results["violations"] or results["incomplete"], "axe checked nothing"

    audit.found = found
    return audit


def violations(audit):
    return {state: found for state, found in audit.found.items() if found}


def sign_up(page, live_server, email):
    page.goto(live_server.url + reverse("signup"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", "correct horse battery staple")
    page.fill("input[name=password2]", "correct horse battery staple")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/todos/$"))


@pytest.mark.parametrize("language", LOCALES)
def test_the_public_and_account_pages_have_no_axe_violation(new_page, live_server, audit, language):
    page = new_page(locale=LOCALES[language])
    url = live_server.url
    for state, path in [
        ("home", reverse("home")),
        ("sign-up", reverse("signup")),
        ("log-in", reverse("login")),
        ("password reset", reverse("password_reset")),
        ("password reset sent", reverse("password_reset_done")),
        ("expired link", reverse("password_reset_confirm", args=["MQ", "expired"])),
        ("not found", "/nowhere/"),
        ("admin log-in", reverse("admin:login")),
    ]:
        page.goto(url + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        audit(page, state)
    page.goto(url + reverse("signup"))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    audit(page, "sign-up errors")
    page.goto(url + reverse("login"))
    page.fill("input[name=username]", "ann@example.com")
    page.fill("input[name=password]", "not the password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".errorlist.nonfield")).to_be_visible()
    audit(page, "log-in refused")
    page.goto(url + reverse("admin:login"))
    page.fill("input[name=username]", "ann@example.com")
    page.fill("input[name=password]", "not the password")
    page.locator("input[type=submit]").click()
    expect(page.locator(".errornote")).to_be_visible()
    audit(page, "admin log-in refused")

    assert violations(audit) == {}


@pytest.mark.parametrize("language", LOCALES)
def test_the_list_in_every_state_has_no_axe_violation(new_page, live_server, audit, language):
    page = new_page(locale=LOCALES[language])
    sign_up(page, live_server, f"axe-{language}@example.com")
    expect(page.locator(".messages")).to_be_visible()
    audit(page, "empty list, with the welcome message")
    new_todo = page.locator(".new-todo")
    for title in ("buy milk", "walk the dog", "write tests"):
        new_todo.fill(title)
        new_todo.press("Enter")
        expect(new_todo).to_have_value("")
    audit(page, "items")
    page.locator(".todo-list li .toggle").first.check()
    expect(page.locator(".todo-list li.completed")).to_have_count(1)
    audit(page, "completed items")
    page.locator(".todo-list li label").nth(1).dblclick()
    expect(page.locator(".todo-list li .edit")).to_be_focused()
    audit(page, "editing")
    page.locator(".todo-list li .edit").press("Escape")
    for state, name in [("active", "todos:active"), ("completed", "todos:completed")]:
        page.goto(live_server.url + reverse(name))
        audit(page, state)
    for state, name in [("password change", "password_change"), ("account deletion", "account_delete")]:
        page.goto(live_server.url + reverse(name))
        audit(page, state)
    page.locator("main form button.danger").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    audit(page, "account deletion refused")

    phone = new_page(locale=LOCALES[language], viewport=PHONE, is_mobile=True, has_touch=True)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(live_server.url + reverse("todos:list"))
    audit(phone, "items on a 375 px phone")

    assert violations(audit) == {}


@pytest.mark.parametrize("language", LOCALES)
def test_the_list_without_javascript_has_no_axe_violation(new_page, live_server, audit, language):
    # The page's script is never loaded, so the page is what a browser without JavaScript shows; axe, evaluated
    # by the browser's debugging protocol, still runs (with JavaScript off it could not).
    page = new_page(locale=LOCALES[language])
    page.route(re.compile(r"\.js$"), lambda route: route.abort())
    sign_up(page, live_server, f"nojs-{language}@example.com")
    expect(page.locator("html")).not_to_have_class("js")
    items = page.locator(".todo-list li")
    page.fill(".new-todo", "buy milk")
    page.press(".new-todo", "Enter")
    expect(items).to_have_count(1)
    page.locator(".toggle-button").first.click()
    expect(page.locator(".todo-list li.completed")).to_have_count(1)
    page.fill(".new-todo", "walk the dog")
    page.press(".new-todo", "Enter")
    expect(items).to_have_count(2)
    audit(page, "items without JavaScript")
    page.press(".new-todo", "Enter")
    expect(page.locator(".header .errorlist")).to_be_visible()
    audit(page, "an empty title refused")
    page.locator(".edit-link").first.click()
    expect(page).to_have_url(re.compile(r"/edit/"))
    audit(page, "the edit page")
    page.fill("input[name=title]", "a title that arrived damaged \ufffd")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .errorlist").first).to_be_visible()
    audit(page, "the edit page refusing a title")

    assert violations(audit) == {}


def focus_is_visible(page):
    """Whether the element with the focus is drawn with an outline."""
    return page.evaluate(
        "() => { const style = getComputedStyle(document.activeElement);"
        " return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2; }"
    )


def tab_to(page, selector, limit=60):
    """Press Tab until the element matching `selector` has the focus; assert its focus is visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            assert focus_is_visible(page), f"{selector} has the focus, invisibly"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_keyboard_reaches_every_action_of_the_list_with_a_visible_focus(new_page, live_server):
    page = new_page()
    sign_up(page, live_server, "keys@example.com")
    expect(page.locator(".new-todo")).to_be_focused()
    for title in ("buy milk", "walk the dog"):
        page.keyboard.type(title)
        page.keyboard.press("Enter")
        expect(page.locator(".new-todo")).to_have_value("")
    items = page.locator(".todo-list li")
    expect(items).to_have_count(2)
    page.locator(".brand").focus()

    tab_to(page, ".todo-list li:nth-child(2) .move button:first-of-type")
    page.keyboard.press("Enter")
    expect(items.first.locator("label")).to_have_text("walk the dog")
    # Its Move up is hidden at the top: the focus stays on the todo, on its Move down.
    expect(items.first.locator(".move button:last-of-type")).to_be_focused()
    page.keyboard.press("Enter")
    expect(items.first.locator("label")).to_have_text("buy milk")
    expect(items.nth(1).locator(".move button:first-of-type")).to_be_focused()
    page.locator(".brand").focus()

    tab_to(page, ".todo-list li:first-child .toggle")
    page.keyboard.press("Space")
    expect(items.first).to_have_class("completed")
    tab_to(page, ".todo-list li:first-child .edit-link")
    page.keyboard.press("Enter")
    expect(items.first.locator(".edit")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("buy oat milk")
    page.keyboard.press("Enter")
    expect(items.first.locator("label")).to_have_text("buy oat milk")
    page.locator(".brand").focus()
    tab_to(page, ".todo-list li:nth-child(2) .destroy")
    page.keyboard.press("Enter")
    expect(items).to_have_count(1)
    tab_to(page, ".toggle-all")
    page.keyboard.press("Space")
    expect(items.first).not_to_have_class("completed")
    page.keyboard.press("Space")
    expect(items.first).to_have_class("completed")
    tab_to(page, ".filters a[href$='/active/']")
    tab_to(page, ".clear-completed")
    page.keyboard.press("Enter")
    expect(items).to_have_count(0)
    tab_to(page, "#language")
    tab_to(page, ".language button")

    assert not Todo.objects.exists()
