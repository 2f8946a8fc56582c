"""In Chromium: todos are ordered by dragging (mouse and touch) and by the Move buttons with and without JavaScript;
due dates are set and read in both languages; the pages of lists, today, upcoming, search, import and settings have
no axe violation."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from todo_site.tests.test_accessibility import LOCALES, audit, axe_source, sign_up, violations  # noqa: F401
from todos.models import Todo, TodoList

from .journeys import add, expect_titles, is_a_move, journey_with_lists

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def stored_titles(email):
    owner = get_user_model().objects.get(email=email)
    return list(TodoList.objects.default_for(owner).todos.values_list("title", flat=True))


def test_a_todo_dragged_by_its_handle_with_the_mouse_keeps_its_new_place(new_page, live_server):
    page = new_page()
    sign_up(page, live_server, "drag@example.com")
    add(page, "first", "second", "third")
    handle = page.locator(".todo-list li").nth(2).locator(".handle")
    target = page.locator(".todo-list li").nth(0).locator("label").bounding_box()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, target["y"] + 2, steps=8)
    with page.expect_response(is_a_move):
        page.mouse.up()
    expect_titles(page, ["third", "first", "second"])
    expect(page.locator(".todo-list li.dragging")).to_have_count(0)
    page.reload()
    expect_titles(page, ["third", "first", "second"])
    assert stored_titles("drag@example.com") == ["third", "first", "second"]


def test_a_todo_dragged_by_touch_keeps_its_new_place(new_page, live_server):
    page = new_page(has_touch=True, is_mobile=True, viewport={"width": 375, "height": 667})
    sign_up(page, live_server, "touch@example.com")
    add(page, "first", "second", "third")
    box = page.locator(".todo-list li").nth(0).locator(".handle").bounding_box()
    last = page.locator(".todo-list li").nth(2).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    touch = page.context.new_cdp_session(page)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 9):
        to = y + (last["y"] + last["height"] - 4 - y) * step / 8
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": to}]})
    with page.expect_response(is_a_move):
        touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    expect_titles(page, ["second", "third", "first"])
    page.reload()
    expect_titles(page, ["second", "third", "first"])


def test_the_move_buttons_reorder_with_javascript(new_page, live_server):
    page = new_page()
    sign_up(page, live_server, "buttons@example.com")
    add(page, "first", "second", "third")
    items = page.locator(".todo-list li")
    expect(items.first.get_by_role("button", name="Move up")).to_be_hidden()
    expect(items.last.get_by_role("button", name="Move down")).to_be_hidden()
    items.nth(2).get_by_role("button", name="Move up").click()
    expect_titles(page, ["first", "third", "second"])
    with page.expect_response(is_a_move):
        items.nth(0).get_by_role("button", name="Move down").click()
    expect_titles(page, ["third", "first", "second"])
    expect(items.last.get_by_role("button", name="Move down")).to_be_hidden()
    page.reload()
    expect_titles(page, ["third", "first", "second"])


def test_the_move_buttons_reorder_without_javascript(new_page, live_server):
    page = new_page(java_script_enabled=False)
    sign_up(page, live_server, "nojs@example.com")
    add(page, "first", "second", "third")
    items = page.locator(".todo-list li")
    items.nth(1).get_by_role("button", name="Move up").click()
    expect(page).to_have_url(re.compile(r"/todos/$"))
    expect_titles(page, ["second", "first", "third"])
    items.nth(1).get_by_role("button", name="Move down").click()
    expect_titles(page, ["second", "third", "first"])
    assert stored_titles("nojs@example.com") == ["second", "third", "first"]


@pytest.mark.parametrize(
    ("language", "time_zone", "tomorrow", "overdue"),
    [("en", "America/New_York", "tomorrow", "2 days overdue"), ("zh-hans", "Asia/Shanghai", "明天", "逾期 2 天")],
)
def test_due_dates_are_set_and_read_in_the_users_language_and_time_zone(
    new_page, live_server, language, time_zone, tomorrow, overdue
):
    page = new_page(locale=LOCALES[language], timezone_id=time_zone)
    email = f"due-{language}@example.com"
    sign_up(page, live_server, email)
    owner = get_user_model().objects.get(email=email)
    assert owner.time_zone == time_zone
    today = owner.today()
    page.locator(".new-due input").fill((today + timedelta(days=1)).isoformat())
    add(page, "pay rent")
    due = page.locator(".todo-list li .due")
    expect(due).to_contain_text(tomorrow)
    expect(due).to_have_attribute("datetime", (today + timedelta(days=1)).isoformat())
    # Set again in the inline editor, with the keyboard.
    page.locator(".todo-list li label").dblclick()
    page.locator(".todo-list li .edit").press("Tab")
    page.locator(".todo-list li .edit-due").fill((today - timedelta(days=2)).isoformat())
    page.locator(".todo-list li .edit-due").press("Enter")
    expect(page.locator(".todo-list li .due.overdue")).to_contain_text(overdue)
    page.goto(live_server.url + reverse("today"))
    expect(page.locator(".found li")).to_contain_text("pay rent")
    assert Todo.objects.get(owner=owner).due == today - timedelta(days=2)


@pytest.mark.parametrize("language", LOCALES)
def test_the_pages_across_lists_have_no_axe_violation(new_page, live_server, audit, language):  # noqa: F811
    page = new_page(locale=LOCALES[language])
    email = f"pages-{language}@example.com"
    sign_up(page, live_server, email)
    owner = get_user_model().objects.get(email=email)
    default = TodoList.objects.default_for(owner)
    work = TodoList.objects.create(owner=owner, name="Work")
    today = owner.today()
    Todo.objects.add(todo_list=default, title="pay rent", due=today - timedelta(days=1))
    Todo.objects.add(todo_list=work, title="report", due=today + timedelta(days=3))
    url = live_server.url
    page.goto(url + reverse("todos:list"))
    audit(page, "list with due dates")
    page.locator(".todo-list li .handle").first.hover()
    page.mouse.down()
    page.mouse.move(10, 10, steps=2)
    audit(page, "dragging")
    page.mouse.up()
    for state, path in [
        ("lists", reverse("lists:index")),
        ("a list", reverse("lists:list", args=[work.pk])),
        ("list deletion", reverse("lists:delete", args=[work.pk])),
        ("today", reverse("today")),
        ("upcoming", reverse("upcoming")),
        ("search", reverse("search") + "?q=re"),
        ("nothing found", reverse("search") + "?q=zzz"),
        ("import", reverse("todos:import")),
        ("settings", reverse("account_settings")),
    ]:
        page.goto(url + path)
        audit(page, state)
    page.goto(url + reverse("lists:index"))
    page.locator(".lists details summary").first.click()
    audit(page, "lists with a list's tools open")
    page.locator("main > section > form button[type=submit]").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    audit(page, "lists refusing an empty name")

    assert violations(audit) == {}


def test_the_lists_journey(new_page, live_server):
    journey_with_lists(new_page(), live_server.url + reverse("signup"))


def test_todos_added_on_a_filtered_page_have_no_move_buttons(new_page, live_server):
    """A filtered page shows part of the order: moving there would put the todo somewhere else in the list."""
    page = new_page()
    sign_up(page, live_server, "filtered@example.com")
    add(page, "first")
    page.get_by_role("link", name="Active").click()
    add(page, "second")
    expect(page.locator(".todo-list li")).to_have_count(2)
    expect(page.locator(".todo-list .move")).to_have_count(0)
    expect(page.locator(".todo-list .handle")).to_have_count(0)
