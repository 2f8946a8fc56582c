"""Weigh the todo page: its HTML plus every stylesheet and script it links, raw and gzipped.

Renders the list page for a signed-in user with --todos todos (default 20) on a throwaway
in-memory SQLite database, and exits 1 when the raw total is over --budget-kb (default BUDGET_KB).
1 KB = 1000 bytes.

    .venv/bin/python scripts/page_weight.py [--todos 20] [--budget-kb 35] [--json]
"""

import argparse
import gzip
import json
import os
import sys
from html.parser import HTMLParser
from pathlib import Path

# The list page with 20 todos, its stylesheets and its script, uncompressed: what a phone on a slow link
# fetches before the list works (lists, order, due dates and drag and drop included).
BUDGET_KB = 35


class AssetFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.assets.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])


def fill(user, todos):
    """Give the user `todos` todos, a third of them completed."""
    from todos.models import Todo

    # Ids from 1, as on a new database, whichever database the todos go to: an id is in several URLs of each.
    Todo.objects.bulk_create(
        Todo(pk=number + 1, owner=user, title=f"Todo number {number}: something to do", completed=number % 3 == 0)
        for number in range(todos)
    )


def page_parts(client):
    """The todo page of the client's signed-in user as (name, bytes): the HTML, then each stylesheet and script."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.urls import reverse

    html = client.get(reverse("todos:list")).content
    finder = AssetFinder()
    finder.feed(html.decode())
    parts = [("page HTML", html)]
    for url in finder.assets:
        parts.append((url, Path(finders.find(url.removeprefix(settings.STATIC_URL))).read_bytes()))
    return parts


def weigh(todos):
    """The page's parts with `todos` todos, on a database made for it."""
    import django
    from django.core.management import call_command
    from django.test import Client

    django.setup()
    call_command("migrate", verbosity=0)
    from accounts.models import User

    user = User.objects.create_user(email="weigh@example.com")
    fill(user, todos)
    client = Client()
    client.force_login(user)
    return page_parts(client)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--todos", type=int, default=20)
    parser.add_argument("--budget-kb", type=float, default=BUDGET_KB)
    parser.add_argument("--json", action="store_true", help="print [[part, bytes, gzipped bytes], ...] only")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="todo_site.settings.test", DATABASE_URL="sqlite://:memory:", ALLOWED_HOSTS="testserver"
    )
    parts = weigh(args.todos)
    if args.json:
        print(json.dumps([[name, len(content), len(gzip.compress(content))] for name, content in parts]))
        return 0
    for name, content in parts:
        print(f"{name}: {len(content) / 1000:.1f} KB (gzip {len(gzip.compress(content)) / 1000:.1f} KB)")
    raw = sum(len(content) for _, content in parts)
    zipped = sum(len(gzip.compress(content)) for _, content in parts)
    print(f"total with {args.todos} todos: {raw / 1000:.1f} KB (gzip {zipped / 1000:.1f} KB)", end="")
    print(f", budget {args.budget_kb:g} KB")
    return 0 if raw <= args.budget_kb * 1000 else 1


if __name__ == "__main__":
    sys.exit(main())
