"""
A browser's side of a conversation with the deployed site, one Lambda event per request.

`Visitor` sends what a browser sends (its cookies; on posts the CSRF token of the form, an
Origin and a Referer on the deployed host) through API Gateway events, and checks every
answer: each Location header and each URL in a page (links, form actions, scripts,
stylesheets, the URLs the script reads) must start with the stage prefix or the static URL.
`journey` walks the whole site that way.
"""

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django.test.utils import override_script_prefix
from django.urls import reverse

from local_aws.events import Response, rest_event

PASSWORD = "correct horse battery staple"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
URL_ATTRIBUTES = {"href", "src", "action", "formaction"}


@dataclass
class Form:
    action: str
    fields: dict = field(default_factory=dict)


@dataclass
class Todo:
    title: str = ""
    completed: bool = False
    actions: dict = field(default_factory=dict)


class Page(HTMLParser):
    """The parts of an HTML page a visitor uses: its URLs, forms, buttons and todo items."""

    def __init__(self, html):
        super().__init__()
        self.urls = []
        self.forms = {}
        self.buttons = []
        self.todos = []
        self._form = None
        self._form_key = None
        self._in_todo_list = False
        self._in_label = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        for name, value in attrs.items():
            if name in URL_ATTRIBUTES or (name.startswith("data-") and value.startswith(("/", "http"))):
                self.urls.append(value)
        classes = attrs.get("class", "").split()
        if tag == "form":
            self._form = Form(action=attrs.get("action", ""))
            self._form_key = attrs.get("id") or f"form-{len(self.forms)}"
            self.forms[self._form_key] = self._form
        elif tag == "input" and attrs.get("name") and self._form is not None:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self._form.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and "formaction" in attrs:
            # A button posts the form it names, else the form it stands in.
            if "form" not in attrs and self._form is not None:
                attrs["form"] = self._form_key
            self.buttons.append(attrs)
        elif tag == "ul" and "todo-list" in classes:
            self._in_todo_list = True
        elif tag == "li" and self._in_todo_list:
            self.todos.append(Todo(completed="completed" in classes))
        elif tag == "label" and self._in_todo_list:
            self._in_label = True
        if self._in_todo_list and self.todos and classes:
            for attribute in ("formaction", "href"):
                if attribute in attrs:
                    self.todos[-1].actions[classes[0]] = attrs[attribute]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "ul":
            self._in_todo_list = False
        elif tag == "label":
            self._in_label = False

    def handle_data(self, data):
        if self._in_label and self.todos:
            self.todos[-1].title += data

    def form(self, action):
        forms = [form for form in self.forms.values() if form.action == action]
        assert forms, f"no form posts to {action}"
        return forms[0]

    def button(self, formaction):
        buttons = [button for button in self.buttons if button["formaction"] == formaction]
        assert buttons, f"no button posts to {formaction}"
        return buttons[0]


class Visitor:
    def __init__(self, invoke, *, stage, host, event=rest_event, static_url=None):
        self.invoke = invoke
        self.stage = stage
        self.host = host
        self.event = event
        self.allowed_prefixes = (f"/{stage}/", *([static_url] if static_url else []))
        self.cookies = {}
        self.cookie_attributes = {}
        self.location = None

    def url(self, name, *args):
        """The path of a named URL on the deployed site, stage prefix included."""
        with override_script_prefix(f"/{self.stage}/"):
            return reverse(name, args=args)

    def request(self, method, url, *, fields=None, headers=()):
        path, _, query = url.partition("?")
        assert path.startswith(f"/{self.stage}/"), path
        given = {name.lower() for name, _ in headers}
        defaults = [("User-Agent", USER_AGENT), ("Accept", "text/html,application/xhtml+xml")]
        sent = [*[(name, value) for name, value in defaults if name.lower() not in given], *headers]
        if self.cookies:
            sent.append(("Cookie", "; ".join(f"{name}={value}" for name, value in self.cookies.items())))
        body = b""
        if method == "POST":
            body = urlencode(fields or {}).encode()
            sent.append(("Content-Type", "application/x-www-form-urlencoded"))
            sent.append(("Origin", f"https://{self.host}"))
            if self.location:
                sent.append(("Referer", f"https://{self.host}{self.location}"))
        event = self.event(
            method, path[len(self.stage) + 1 :], stage=self.stage, host=self.host, headers=sent, query=query, body=body
        )
        response = Response.from_result(self.invoke(event))
        self._keep_cookies(response)
        self._check_urls(response)
        if method == "GET" and response.status == 200:
            self.location = url
        return response

    def get(self, url):
        return self.request("GET", url)

    def page(self, url):
        response = self.get(url)
        assert response.status == 200, (url, response.status, response.text[:2000])
        return Page(response.text)

    def submit(self, page, action, **fields):
        """Post a form of the page, with its hidden fields and these; a form without action posts to the page."""
        return self.request("POST", action or self.location, fields={**page.form(action).fields, **fields})

    def press(self, page, formaction):
        """Press a button of the page that posts its form to `formaction`."""
        button = page.button(formaction)
        fields = dict(page.forms[button["form"]].fields)
        if button.get("name"):
            fields[button["name"]] = button.get("value", "")
        return self.request("POST", formaction, fields=fields)

    def post_json(self, url, **fields):
        """Post as the page's script does: asking for JSON, the CSRF token in a header."""
        headers = [("Accept", "application/json"), ("X-CSRFToken", self.cookies["csrftoken"])]
        response = self.request("POST", url, fields=fields, headers=headers)
        data = json.loads(response.body)
        for html in _html_fragments(data):
            self._check_page_urls(Page(html))
        return response, data

    def follow(self, response):
        assert response.status in {301, 302, 303}, (response.status, response.text[:2000])
        return self.page(response.header("Location"))

    def _keep_cookies(self, response):
        for header in response.header_values("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
                self.cookie_attributes[name] = morsel

    def _check_urls(self, response):
        location = response.header("Location")
        if location is not None:
            assert location.startswith(self.allowed_prefixes), f"Location {location}"
        if (response.header("Content-Type") or "").startswith("text/html"):
            self._check_page_urls(Page(response.text))

    def _check_page_urls(self, page):
        # The stage's root (the admin's "View site") and links within the page are fine too.
        outside = [
            url for url in page.urls if not url.startswith((*self.allowed_prefixes, "#")) and url != f"/{self.stage}"
        ]
        assert not outside, f"URLs outside {self.allowed_prefixes}: {outside}"


def _html_fragments(data):
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "html":
                yield value
            else:
                yield from _html_fragments(value)
    elif isinstance(data, list):
        for value in data:
            yield from _html_fragments(value)


def titles(page):
    return [todo.title.strip() for todo in page.todos]


def journey(visitor, email="ann@example.com"):
    """Sign up, log out, log in, add, toggle, edit, delete, toggle all, clear completed, log out."""
    url = visitor.url
    assert url("signup") in visitor.page(url("home")).urls

    signup = visitor.page(url("signup"))
    response = visitor.submit(signup, url("signup"), email=email, password1=PASSWORD, password2=PASSWORD)
    assert response.header("Location") == url("todos:list")
    todos = visitor.follow(response)

    response = visitor.submit(todos, url("logout"))
    assert response.header("Location") == url("home")
    assert visitor.get(url("todos:list")).header("Location") == f"{url('login')}?next={url('todos:list')}"

    login = visitor.page(url("login"))
    response = visitor.submit(login, url("login"), username=email, password=PASSWORD)
    assert response.header("Location") == url("todos:list")
    todos = visitor.follow(response)

    for title in ("buy milk", "walk the dog", "write tests"):
        todos = visitor.follow(visitor.submit(todos, url("todos:list"), title=title))
    assert titles(todos) == ["buy milk", "walk the dog", "write tests"]
    milk, dog, tests = todos.todos

    todos = visitor.follow(visitor.press(todos, milk.actions["toggle-button"]))
    assert [todo.completed for todo in todos.todos] == [True, False, False]

    edit = visitor.page(dog.actions["edit-link"])
    edit_action = dog.actions["edit-link"].partition("?")[0]
    todos = visitor.follow(visitor.submit(edit, edit_action, title="walk the cat"))
    assert titles(todos) == ["buy milk", "walk the cat", "write tests"]

    todos = visitor.follow(visitor.press(todos, tests.actions["destroy"]))
    assert titles(todos) == ["buy milk", "walk the cat"]

    todos = visitor.follow(visitor.press(todos, url("todos:toggle_all")))
    assert [todo.completed for todo in todos.todos] == [True, True]
    assert titles(visitor.page(url("todos:active"))) == []
    assert titles(visitor.page(url("todos:completed"))) == ["buy milk", "walk the cat"]

    todos = visitor.follow(visitor.press(todos, url("todos:clear_completed")))
    assert titles(todos) == []

    response, data = visitor.post_json(url("todos:list"), title="added by the script")
    assert response.status == 201
    assert data["counts"]["active"] == 1
    response, data = visitor.post_json(url("todos:toggle", data["todo"]["id"]))
    assert data["todo"]["completed"] is True
    assert titles(visitor.page(url("todos:completed"))) == ["added by the script"]

    response = visitor.submit(visitor.page(url("todos:list")), url("logout"))
    assert response.header("Location") == url("home")
    assert "sessionid" not in visitor.cookies
