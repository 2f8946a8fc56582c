"""
The visitors of `make load` (see bench/load.py): Locust users running the signed-in journey.

Each user is a new visitor who signs up and makes a list of their own, then again and again adds two
todos to it (the first due today), ticks the first, renames the second, looks at what is due today
and at the completed ones, and deletes the first, with a think time between steps, and logs out
when the run ends. A step that fails ends that round. Posts are what
the page's script sends (JSON asked for, the CSRF token in a header), and every URL after the
sign-up page comes from the pages and answers, as in a browser.

With LOAD_FLOODERS set, that many Flooders run beside the visitors: each from a client address of
its own (127.0.3.x), it posts log-ins to random addresses that have no account, as fast as answers
come, so that every one is hashed until the per-address throttle refuses it.

Read from the environment: LOAD_URLS, the full URLs of the sign-up page, the log-in page and the
completed filter (JSON); LOAD_RESULTS, a file where the acknowledged writes and the answers by
status are written when the run ends.
"""

import contextlib
import itertools
import json
import os
import secrets
import time
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

URLS = json.loads(os.environ["LOAD_URLS"])
SIGNUP_URL = URLS["signup"]
ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(SIGNUP_URL))
PASSWORD = "correct horse battery staple"  # noqa: S105 - the visitors' own
visitors = itertools.count()
statuses = Counter()
flood_statuses = Counter()
# Every request: (seconds since the first, endpoint, milliseconds, status).
timeline = []
# What the site acknowledged, to be found in the database afterwards; a todo's "pending" change is one
# sent but not acknowledged (the run ended, or the answer was an error), which may or may not have happened.
accounts = []
todos = {}


class Links(HTMLParser):
    """The URLs of a page or fragment by the class of the element that holds them: a form's action, a
    button's formaction (or its form's action), a link's href."""

    def __init__(self, html):
        super().__init__()
        self.urls = {}
        self._form_action = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form_action = attrs.get("action")
        url = attrs.get("formaction") or attrs.get("action") or attrs.get("href")
        if tag == "button" and url is None:
            url = self._form_action
        for name in attrs.get("class", "").split() or [tag]:
            if url is not None:
                self.urls.setdefault(name, url.partition("?")[0])


class SourceAddress(HTTPAdapter):
    """Connect from this loopback address, which the local API Gateway reports as the client's."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


class JourneyFailed(Exception):
    pass


class Visitor(HttpUser):
    host = ORIGIN
    wait_time = between(0.5, 1.5)
    numbers = itertools.count(1)

    def send(self, method, url, name, expected, *, fields=None, json_answer=False):
        headers = {"Accept": "application/json" if json_answer else "text/html"}
        if fields is not None:
            headers.update({"Origin": ORIGIN, "X-CSRFToken": self.client.cookies.get("csrftoken", "")})
            # As the page's script, every post also says where to go back to.
            fields = {"next": self.list_url, **fields}
        with self.client.request(
            method, url, name=name, data=fields, headers=headers, allow_redirects=False, timeout=60, catch_response=True
        ) as response:
            statuses[response.status_code] += 1
            timeline.append((time.monotonic(), name, response.elapsed.total_seconds() * 1000, response.status_code))
            # Browsers send Secure cookies to loopback addresses, which they treat as secure origins.
            for cookie in self.client.cookies:
                cookie.secure = False
            if response.status_code != expected:
                response.failure(f"{response.status_code} instead of {expected}")
                raise JourneyFailed(name)
            return response

    def on_start(self):
        # Each visitor is a person of their own, from an address of their own (127.0.1.x), as the site's
        # throttles count them.
        self.client.mount("http://", SourceAddress(f"127.0.1.{next(Visitor.numbers)}"))
        self.page = None
        self.list_url = ""
        with contextlib.suppress(JourneyFailed):
            self.sign_up()

    @task
    def use_the_list(self):
        with contextlib.suppress(JourneyFailed):
            if self.page is None:
                self.sign_up()
            else:
                self.work_through_todos()

    def on_stop(self):
        if self.page is not None:
            with contextlib.suppress(JourneyFailed):
                self.send("POST", urljoin(SIGNUP_URL, self.page.urls["logout"]), "log out", 302, fields={})

    def sign_up(self):
        signup = Links(self.send("GET", SIGNUP_URL, "sign-up page", 200).text)
        self.email = f"visitor{next(visitors)}-{os.getpid()}@example.com"
        fields = {"email": self.email, "password1": PASSWORD, "password2": PASSWORD}
        signed_up = self.send("POST", urljoin(SIGNUP_URL, signup.urls["form"]), "sign up", 302, fields=fields)
        accounts.append(self.email)
        self.list_url = urljoin(SIGNUP_URL, signed_up.headers["Location"])
        self.page = Links(self.send("GET", self.list_url, "list", 200).text)
        made = self.send("POST", URLS["lists"], "make a list", 302, fields={"name": "Groceries"})
        self.list_url = urljoin(SIGNUP_URL, made.headers["Location"])
        self.page = Links(self.send("GET", self.list_url, "list", 200).text)

    def work_through_todos(self):
        added = []
        for title, due in (("buy milk", time.strftime("%Y-%m-%d", time.gmtime())), ("walk the dog", "")):
            todo = self.post(self.page.urls["new-todo-form"], "add", 201, title=title, due=due)["todo"]
            todos[todo["id"]] = {"owner": self.email, "title": todo["title"], "completed": False, "deleted": False}
            added.append((todo["id"], Links(todo["html"]).urls))
            self.wait()
        (first, first_urls), (second, second_urls) = added
        self.change(first, "tick", first_urls["toggle-button"], {"completed": True}, completed="true")
        self.wait()
        self.change(second, "rename", second_urls["edit-link"], {"title": "walk the cat"}, title="walk the cat")
        self.wait()
        self.send("GET", URLS["today"], "today", 200)
        self.wait()
        # The list's Completed filter, which its page links to under the list's own URL.
        self.send("GET", urljoin(self.list_url, "completed/"), "filter", 200)
        self.wait()
        self.change(first, "delete", first_urls["destroy"], {"deleted": True})

    def change(self, pk, name, url, change, **fields):
        """Post a change to a todo. Until the site acknowledges it, the database may hold the todo either way."""
        todo = todos[pk]
        todo["pending"] = {**todo, **change, "pending": None}
        self.post(url, name, 200, **fields)
        todo.update(change, pending=None)

    def post(self, url, name, expected, **fields):
        return self.send("POST", urljoin(SIGNUP_URL, url), name, expected, fields=fields, json_answer=True).json()


class Flooder(HttpUser):
    host = ORIGIN
    fixed_count = int(os.environ.get("LOAD_FLOODERS", "0"))
    wait_time = between(0, 0.1)
    numbers = itertools.count(1)

    def on_start(self):
        self.client.mount("http://", SourceAddress(f"127.0.3.{next(Flooder.numbers)}"))
        self.client.get(URLS["login"], name="flood: log-in page")

    @task
    def guess(self):
        for cookie in self.client.cookies:
            cookie.secure = False
        headers = {"Origin": ORIGIN, "X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Accept": "text/html"}
        fields = {"username": f"{secrets.token_hex(6)}@example.com", "password": "123456"}
        with self.client.post(
            URLS["login"], data=fields, headers=headers, name="flood: log-in", allow_redirects=False, timeout=60,
            catch_response=True,
        ) as response:  # fmt: skip
            flood_statuses[response.status_code] += 1
            if response.status_code != 200:
                response.failure(f"{response.status_code} instead of 200")


@events.quitting.add_listener
def write_results(environment, **kwargs):
    with open(os.environ["LOAD_RESULTS"], "w") as results:
        start = min((moment for moment, *_ in timeline), default=0)
        requests = [(moment - start, *rest) for moment, *rest in timeline]
        json.dump(
            {
                "statuses": statuses,
                "flood_statuses": flood_statuses,
                "accounts": accounts,
                "todos": todos,
                "requests": requests,
            },
            results,
        )
