"""Every page a visitor or a signed-in user can reach, in every state and in both languages, is valid HTML by
html-validate's standard rules (its `html-validate:standard` preset, .htmlvalidate.json)."""

import json
import os
import re
import subprocess
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import mail
from todos.models import Todo, TodoList

pytestmark = pytest.mark.django_db
HTML_VALIDATE = settings.BASE_DIR / "node_modules" / ".bin" / "html-validate"
LANGUAGES = {"en": "en", "zh-hans": "zh-CN,zh;q=0.9"}


@pytest.fixture(scope="module")
def html_validate():
    if not HTML_VALIDATE.exists():
        message = "html-validate is not installed (npm ci, as scripts/test does)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return HTML_VALIDATE


def pages(user, password, accept_language):
    """(what, HTML) of every page and state, in the language of `accept_language`."""
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language}
    visitor = Client(**headers)

    def get(client, name, *args):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        return response.content.decode()

    def post(client, name, fields, *args, shows="errorlist"):
        html = client.post(reverse(name, args=args), fields).content.decode()
        assert shows in html, name
        return html

    yield "home", get(visitor, "home")
    yield "sign-up", get(visitor, "signup")
    yield "sign-up with errors", post(visitor, "signup", {"email": "x", "password1": "a"})
    yield "log-in", get(visitor, "login")
    yield "log-in refused", post(visitor, "login", {"username": "x@example.com", "password": "x"})
    yield "password reset", get(visitor, "password_reset")
    yield "password reset sent", get(visitor, "password_reset_done")
    token = default_token_generator.make_token(user)
    link = visitor.get(reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)), token]))
    new_password = visitor.get(link.url).content.decode()
    assert 'name="new_password1"' in new_password
    yield "new password", new_password
    expired_link = get(visitor, "password_reset_confirm", "MQ", "expired-token")
    assert 'name="new_password1"' not in expired_link
    yield "expired link", expired_link
    yield "password set", get(visitor, "password_reset_complete")
    yield "not found", visitor.get("/nowhere/").content.decode()
    expired = Client(enforce_csrf_checks=True, **headers).post(reverse("login"))
    assert expired.status_code == 403
    yield "form expired", expired.content.decode()
    yield "admin log-in", get(visitor, "admin:login")
    refused = {"username": "x@example.com", "password": "x"}
    yield "admin log-in refused", post(visitor, "admin:login", refused, shows='class="errornote"')
    with translation.override(translation.get_language_from_request(visitor.get("/").wsgi_request)):
        for status in (400, 500, 503):
            yield f"error {status}", render_to_string(f"{status}.html")

    member = Client(**headers)
    member.force_login(user)
    yield "empty list", get(member, "todos:list")
    Todo.objects.create(owner=user, title="buy milk")
    Todo.objects.create(owner=user, title="walk the dog", completed=True)
    member.post(reverse("todos:list"), {"title": "write tests"})
    member.post(reverse("signup"))  # signed in already: a redirect, and the list shows no message for it
    items = get(member, "todos:list")
    assert '<li class="completed">' in items
    yield "list with items", items
    yield "active", get(member, "todos:active")
    yield "completed", get(member, "todos:completed")
    yield "list with an error", post(member, "todos:list", {"title": ""})
    todo = Todo.objects.filter(owner=user).first()
    yield "edit", get(member, "todos:edit", todo.pk)
    yield "edit with an error", post(member, "todos:edit", {"title": "x" * 201}, todo.pk)
    Todo.objects.filter(pk=todo.pk).update(due=user.today())
    work = TodoList.objects.create(owner=user, name="Work")
    Todo.objects.add(todo_list=work, title="report", due=user.today() + timedelta(days=2))
    yield "list with due dates", get(member, "todos:list")
    yield "another list", get(member, "lists:list", work.pk)
    yield "lists", get(member, "lists:index")
    yield "lists with an error", post(member, "lists:index", {"name": "work"})
    yield "list deletion", get(member, "lists:delete", work.pk)
    yield "today", get(member, "today")
    yield "upcoming", get(member, "upcoming")
    yield "search", get(member, "search")
    found = member.get(reverse("search"), {"q": "milk"}).content.decode()
    assert "in Todos" in found or "在“" in found
    yield "search results", found
    yield "nothing found", member.get(reverse("search"), {"q": "nothing like it"}).content.decode()
    yield "import", get(member, "todos:import")
    yield "import refused", member.post(reverse("todos:import"), {}).content.decode()
    yield "settings", get(member, "account_settings")
    yield "settings refused", member.post(reverse("account_settings"), {"digest_hour": "24"}).content.decode()
    unsubscribe = mail.unsubscribe_token(user)
    yield "digest unsubscribe", get(visitor, "digest_unsubscribe", unsubscribe)
    yield "digest stopped", visitor.post(reverse("digest_unsubscribe", args=[unsubscribe])).content.decode()
    yield "password change", get(member, "password_change")
    yield "password changed", get(member, "password_change_done")
    yield "account deletion", get(member, "account_delete")
    yield "account deletion refused", post(member, "account_delete", {"password": "no"})
    newcomer = Client(**headers)
    newcomer.post(reverse("signup"), {"email": f"new-{accept_language[:2]}@example.com", "password1": password,
                                      "password2": password})  # fmt: skip
    welcome = get(newcomer, "todos:list")
    assert '<div class="messages" role="status">' in welcome
    yield "list with a message", welcome


def test_every_page_in_every_state_and_language_is_valid_html(user, password, html_validate, tmp_path):
    files = {}
    for language, accept_language in LANGUAGES.items():
        for number, (what, html) in enumerate(pages(user, password, accept_language)):
            assert re.search(rf'<html lang="{language}"', html), (language, what)
            path = tmp_path / f"{language}-{number:02}.html"
            path.write_text(html)
            files[str(path)] = f"{what} ({language})"
        Todo.objects.all().delete()
        TodoList.objects.all().delete()

    result = subprocess.run(
        [html_validate, "--config", settings.BASE_DIR / ".htmlvalidate.json", "--formatter", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )

    problems = [
        f"{files[report['filePath']]} {message['line']}:{message['column']} {message['ruleId']}: {message['message']}"
        for report in json.loads(result.stdout or "[]")
        for message in report["messages"]
    ]
    assert problems == []
    assert result.returncode == 0, result.stderr
    assert len(files) == 2 * 45
