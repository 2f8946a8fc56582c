"""TodoMVC journeys through a real browser, for any running copy of the site.

Each journey starts from the sign-up page's URL and moves only through links, forms and
controls, so the same journey proves the local server and the packaged Lambda behind its
stage prefix.
"""

import re

from playwright.sync_api import expect

PASSWORD = "correct horse battery staple"


def sign_up(page, signup_url, email):
    page.goto(signup_url)
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/todos/$"))


def expect_titles(page, titles):
    expect(page.locator(".todo-list li label")).to_have_text(titles)


def expect_count(page, text):
    expect(page.locator(".todo-count")).to_have_text(text)


def add(page, *titles):
    new_todo = page.locator(".new-todo")
    for title in titles:
        new_todo.fill(title)
        new_todo.press("Enter")
        expect(new_todo).to_have_value("")


def expect_filters_survive_reload_and_back(page, active, completed):
    page.get_by_role("link", name="Active").click()
    expect(page).to_have_url(re.compile(r"/todos/active/$"))
    expect_titles(page, active)
    page.reload()
    expect_titles(page, active)
    expect(page.get_by_role("link", name="Active")).to_have_class("selected")
    page.get_by_role("link", name="Completed").click()
    expect(page).to_have_url(re.compile(r"/todos/completed/$"))
    expect_titles(page, completed)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/todos/active/$"))
    expect_titles(page, active)
    page.get_by_role("link", name="All").click()
    expect(page).to_have_url(re.compile(r"/todos/$"))


def expect_no_reload_since_marked(page):
    assert page.evaluate("window.notReloaded") is True


def journey_with_javascript(page, signup_url, email="ann@example.com"):
    """The whole TodoMVC journey; every action updates the page in place."""
    sign_up(page, signup_url, email)
    items = page.locator(".todo-list li")
    expect(page.locator(".new-todo")).to_be_focused()
    expect(page.locator(".main")).to_be_hidden()
    expect(page.locator(".footer")).to_be_hidden()
    page.evaluate("window.notReloaded = true")

    add(page, "  buy milk  ", "walk the dog", "write tests")
    expect_titles(page, ["buy milk", "walk the dog", "write tests"])
    expect_count(page, "3 items left")
    expect(page.locator(".main")).to_be_visible()
    add(page, "   ")
    expect(items).to_have_count(3)

    items.nth(1).locator("label").dblclick()
    expect(items.nth(1)).to_have_class(re.compile(r"\bediting\b"))
    edit = items.nth(1).locator(".edit")
    expect(edit).to_be_focused()
    expect(edit).to_have_value("walk the dog")
    expect(items.nth(1).locator(".toggle")).to_be_hidden()
    expect(items.nth(1).locator(".destroy")).to_be_hidden()
    edit.fill("  walk the cat  ")
    edit.press("Enter")
    expect(items.nth(1).locator("label")).to_have_text("walk the cat")
    expect(items.nth(1)).not_to_have_class(re.compile(r"\bediting\b"))

    items.nth(2).locator("label").dblclick()
    items.nth(2).locator(".edit").fill("never saved")
    items.nth(2).locator(".edit").press("Escape")
    expect(items.nth(2).locator("label")).to_have_text("write tests")
    expect(items.nth(2)).not_to_have_class(re.compile(r"\bediting\b"))

    add(page, "fourth")
    items.nth(3).locator("label").dblclick()
    items.nth(3).locator(".edit").fill("  saved on blur ")
    page.locator(".new-todo").click()
    expect(items.nth(3).locator("label")).to_have_text("saved on blur")
    expect_no_reload_since_marked(page)
    page.reload()
    expect(items.nth(3).locator("label")).to_have_text("saved on blur")
    page.evaluate("window.notReloaded = true")
    items.nth(3).locator("label").dblclick()
    items.nth(3).locator(".edit").fill("   ")
    items.nth(3).locator(".edit").press("Enter")
    expect(items).to_have_count(3)

    items.nth(0).locator(".toggle").check()
    expect(items.nth(0)).to_have_class("completed")
    expect_count(page, "2 items left")
    expect(page.get_by_role("button", name="Clear completed")).to_be_visible()
    expect_no_reload_since_marked(page)

    expect_filters_survive_reload_and_back(page, ["walk the cat", "write tests"], ["buy milk"])
    expect_titles(page, ["buy milk", "walk the cat", "write tests"])
    page.evaluate("window.notReloaded = true")

    toggle_all = page.get_by_label("Mark all as complete")
    toggle_all.check()
    expect(items).to_have_class(["completed"] * 3)
    expect_count(page, "0 items left")
    toggle_all.uncheck()
    expect(items).to_have_class([""] * 3)
    expect_count(page, "3 items left")
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()

    items.nth(0).locator(".toggle").check()
    page.get_by_role("button", name="Clear completed").click()
    expect_titles(page, ["walk the cat", "write tests"])
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()

    items.nth(0).hover()
    items.nth(0).get_by_role("button", name="Delete").click()
    expect_titles(page, ["write tests"])
    expect_count(page, "1 item left")
    expect_no_reload_since_marked(page)

    page.reload()
    expect_titles(page, ["write tests"])
    expect_count(page, "1 item left")


def journey_without_javascript(page, signup_url, email="ann@example.com"):
    """The core journey with JavaScript off: every action is a plain form post or link."""
    sign_up(page, signup_url, email)
    items = page.locator(".todo-list li")
    add(page, "  buy milk  ", "walk the dog", "write tests")
    expect_titles(page, ["buy milk", "walk the dog", "write tests"])
    expect(page.locator(".toggle").first).to_be_hidden()

    items.nth(0).get_by_role("button", name="Done").click()
    expect(items.nth(0)).to_have_class("completed")
    expect_count(page, "2 items left")

    items.nth(1).get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(r"/todos/\d+/edit/\?next=.*$"))
    page.get_by_label("Title").fill("  walk the cat  ")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/todos/$"))
    expect_titles(page, ["buy milk", "walk the cat", "write tests"])

    expect_filters_survive_reload_and_back(page, ["walk the cat", "write tests"], ["buy milk"])

    page.get_by_role("button", name="Mark all as complete").click()
    expect(items).to_have_class(["completed"] * 3)
    expect_count(page, "0 items left")
    page.get_by_role("button", name="Mark all as active").click()
    expect_count(page, "3 items left")

    items.nth(0).get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Clear completed").click()
    expect_titles(page, ["walk the cat", "write tests"])

    items.nth(0).get_by_role("button", name="Delete").click()
    expect_titles(page, ["write tests"])
    page.reload()
    expect_titles(page, ["write tests"])
    expect_count(page, "1 item left")


def is_a_move(response):
    """The answer to a move: the page shows a move at once, and a reload before it is answered would lose it."""
    return "/move/" in response.url and response.request.method == "POST"


def drag(page, item, onto):
    """Drag `item` by its handle with the mouse until it stands where `onto` stood."""
    handle = item.locator(".handle").bounding_box()
    target = onto.bounding_box()
    x = handle["x"] + handle["width"] / 2
    page.mouse.move(x, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(x, target["y"] + 2, steps=8)
    page.mouse.up()


def journey_with_lists(page, signup_url, email="lee@example.com"):
    """A list of one's own, todos ordered by dragging and by the Move buttons, a due date, and Today."""
    sign_up(page, signup_url, email)
    page.get_by_role("link", name="Lists").first.click()
    page.locator("#id_name").fill("Work")
    page.get_by_role("button", name="Make a list").click()
    expect(page).to_have_url(re.compile(r"/lists/\d+/$"))
    expect(page.locator(".list-name")).to_have_text("Work")
    page.locator(".new-due input").fill(page.evaluate("new Date().toLocaleDateString('sv')"))
    add(page, "report")
    add(page, "slides", "email")
    items = page.locator(".todo-list li")
    expect(items.first.locator(".due")).to_contain_text("today")
    with page.expect_response(is_a_move):
        drag(page, items.nth(2), items.nth(0))
    expect_titles(page, ["email", "report", "slides"])
    with page.expect_response(is_a_move):
        items.nth(1).get_by_role("button", name="Move down").click()
    expect_titles(page, ["email", "slides", "report"])
    page.reload()
    expect_titles(page, ["email", "slides", "report"])
    page.get_by_role("link", name="Today").click()
    expect(page.locator(".found li")).to_have_count(1)
    expect(page.locator(".found li")).to_contain_text("report")
    expect(page.locator(".found li")).to_contain_text("in Work")
    page.get_by_role("link", name="Search").click()
    page.get_by_label("Search").fill("SLIDE")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".found li")).to_contain_text("slides")
