"""The site in English and Simplified Chinese: the language follows Accept-Language, a switch in the footer
keeps the visitor's choice without JavaScript, the URLs stay the same, and nothing is left untranslated."""

import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from todos.models import Todo

pytestmark = pytest.mark.django_db
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}


def html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def visible_text(response):
    """The page's text outside tags, scripts and attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("name", "chinese"),
    [
        ("home", "只属于你的待办事项清单"),
        ("signup", "创建你的账户"),
        ("login", "忘记密码？"),
        ("password_reset", "重置你的密码"),
    ],
)
def test_accept_language_zh_cn_serves_the_public_pages_in_chinese(client, name, chinese):
    response = client.get(reverse(name), **CHINESE)
    assert html_lang(response) == "zh-hans"
    assert chinese in response.content.decode()
    assert "Log in" not in visible_text(response)


@pytest.mark.parametrize(
    ("name", "chinese"),
    [
        ("todos:list", "接下来要做什么？"),
        ("todos:active", "未完成的待办事项"),
        ("password_change", "更改你的密码"),
        ("account_delete", "删除你的账户"),
    ],
)
def test_the_signed_in_pages_are_in_chinese(user_client, user, name, chinese):
    Todo.objects.create(owner=user, title="buy milk")
    response = user_client.get(reverse(name), **CHINESE)
    assert html_lang(response) == "zh-hans"
    assert chinese in response.content.decode()
    assert "Log out" not in visible_text(response)


def test_without_a_preference_the_site_speaks_english(client):
    response = client.get(reverse("home"))
    assert html_lang(response) == "en"
    assert "A todo list that is yours alone" in response.content.decode()


def test_the_counter_follows_each_languages_plural_rules(user_client, user):
    Todo.objects.create(owner=user, title="one")
    english = user_client.get(reverse("todos:list")).content.decode()
    chinese = user_client.get(reverse("todos:list"), **CHINESE).content.decode()
    assert "<strong>1</strong> item left" in english
    assert "还剩 <strong>1</strong> 项" in chinese
    Todo.objects.create(owner=user, title="two")
    assert "<strong>2</strong> items left" in user_client.get(reverse("todos:list")).content.decode()
    assert "还剩 <strong>2</strong> 项" in user_client.get(reverse("todos:list"), **CHINESE).content.decode()


def test_the_scripts_messages_are_in_the_page_in_its_language(user_client):
    html = user_client.get(reverse("todos:list"), **CHINESE).content.decode()
    assert 'data-not-saved="你的修改未能保存，请重试。"' in html
    assert 'data-session-ended="你的会话已结束。请刷新页面重新登录。"' in html


def test_json_errors_and_answers_are_in_the_callers_language(user_client):
    response = user_client.post(reverse("todos:list"), {"title": ""}, HTTP_ACCEPT="application/json", **CHINESE)
    assert response.json()["errors"]["title"][0]["message"] == "请写下要做的事。"
    response = user_client.post(reverse("todos:list"), {"title": "milk"}, HTTP_ACCEPT="application/json", **CHINESE)
    assert "还剩 <strong>1</strong> 项" in response.json()["count_html"]


@pytest.mark.parametrize(
    ("path", "chinese"), [("/no-such-page/", "这里什么都没有"), ("/todos/999999/edit/", "这里什么都没有")]
)
def test_error_pages_are_in_chinese(user_client, path, chinese):
    response = user_client.get(path, **CHINESE)
    assert response.status_code == 404
    assert html_lang(response) == "zh-hans"
    assert chinese in response.content.decode()


def test_a_script_asking_for_a_missing_todo_is_told_in_chinese(user_client):
    response = user_client.post("/todos/999999/toggle/", HTTP_ACCEPT="application/json", **CHINESE)
    assert response.status_code == 404
    assert response.json() == {"error": "没有这项待办事项。"}


def test_the_expired_form_page_is_in_chinese(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "ann@example.com", "password": "x"}, **CHINESE)
    assert response.status_code == 403
    assert "此表单已过期" in response.content.decode()


def test_a_server_error_page_is_in_chinese(client, monkeypatch):
    monkeypatch.setattr("todo_site.views.render", lambda *args, **kwargs: 1 / 0)
    client.raise_request_exception = False
    response = client.get(reverse("home"), **CHINESE)
    assert response.status_code == 500
    assert "出错了" in response.content.decode()


def test_the_password_reset_email_is_in_chinese(client, user):
    client.post(reverse("password_reset"), {"email": "ann@example.com"}, **CHINESE)
    (message,) = mail.outbox
    assert message.subject == "重置你的待办事项密码"
    assert "有人请求重置 ann@example.com 的待办事项账户密码。" in message.body
    assert re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", message.body)


def test_the_footer_switch_changes_the_language_without_javascript(client):
    page = client.get(reverse("login")).content.decode()
    form = re.search(r'<form class="language" method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form.group(1) == reverse("set_language")
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    assert fields["next"] == reverse("login")
    assert re.search(r'<option value="zh-hans" lang="zh-hans">简体中文</option>', form.group(2))

    response = client.post(form.group(1), {**fields, "language": "zh-hans"})
    assert response.status_code == 302
    assert response.url == reverse("login")
    again = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(again) == "zh-hans"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_urls_do_not_change_with_the_language(client):
    english = re.findall(r'href="(/[^"]*)"', client.get(reverse("home")).content.decode())
    chinese = re.findall(r'href="(/[^"]*)"', client.get(reverse("home"), **CHINESE).content.decode())
    assert english == chinese
    assert client.get("/zh-hans/").status_code == 404


def test_the_admin_follows_the_language(client):
    response = client.get(reverse("admin:login"), **CHINESE)
    assert html_lang(response) == "zh-hans"
    assert "登录" in response.content.decode()


def test_every_string_of_the_site_is_translated():
    """makemessages, run on a copy of the sources, leaves no empty or fuzzy msgstr in the Chinese catalogue."""
    result = subprocess.run(
        [sys.executable, "scripts/messages.py", "--check"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
