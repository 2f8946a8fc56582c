import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from todos.models import Todo

from .journeys import add, expect_titles, journey_with_javascript, journey_without_javascript, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signup_url(live_server):
    return live_server.url + reverse("signup")


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def page_without_javascript(new_page):
    return new_page(java_script_enabled=False)


def test_the_todomvc_journey_with_javascript(page, signup_url):
    journey_with_javascript(page, signup_url)
    assert list(Todo.objects.values_list("title", "completed")) == [("write tests", False)]


def test_the_todomvc_journey_without_javascript(page_without_javascript, signup_url):
    journey_without_javascript(page_without_javascript, signup_url)
    assert list(Todo.objects.values_list("title", "completed")) == [("write tests", False)]


def test_a_second_user_sees_none_of_the_first_users_todos(page, signup_url, live_server, user, make_todo):
    todo = make_todo("Ann's secret")
    sign_up(page, signup_url, "bob@example.com")
    expect(page.locator(".main")).to_be_hidden()
    expect(page.locator(".todo-list li")).to_have_count(0)
    assert "secret" not in page.content()
    response = page.goto(live_server.url + reverse("todos:edit", args=[todo.pk]))
    assert response.status == 404
    assert "secret" not in page.content()


def test_a_failed_request_shows_a_message_and_restores_the_state(page, signup_url):
    sign_up(page, signup_url, "ann@example.com")
    add(page, "buy milk")
    item = page.locator(".todo-list li").first
    page.route(re.compile(r"/toggle/$"), lambda route: route.abort())
    # click, not check: the box is unticked again as soon as the request fails.
    item.locator(".toggle").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("could not be reached"))
    expect(item.locator(".toggle")).not_to_be_checked()
    expect(item).not_to_have_class("completed")
    assert not Todo.objects.get().completed


def test_a_refused_edit_shows_the_reason_and_keeps_the_title(page, signup_url):
    sign_up(page, signup_url, "ann@example.com")
    add(page, "buy milk")
    item = page.locator(".todo-list li").first
    item.locator("label").dblclick()
    item.locator(".edit").fill("x" * 201)
    item.locator(".edit").press("Enter")
    expect(page.get_by_role("alert")).to_have_text(re.compile("at most 200 characters"))
    expect_titles(page, ["buy milk"])
    page.reload()
    expect_titles(page, ["buy milk"])
