import html
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()
# An id no todo has, put through reverse() once per page: each todo's URL is the result with its own id in its place.
SENTINEL = "2147483647"
TODO_ACTIONS = ("toggle", "move", "edit", "delete")
HIDDEN = mark_safe(" hidden")
COMPLETED = mark_safe(' class="completed"')


def due_label(due, today):
    """The due date as a person says it, in the active language: today, tomorrow, Friday, 3 days overdue, 5 March."""
    days = (due - today).days
    if days < 0:
        return ngettext("%(days)d day overdue", "%(days)d days overdue", -days) % {"days": -days}
    if days == 0:
        return gettext("today")
    if days == 1:
        return gettext("tomorrow")
    if days < 7:
        return date_format(due, "l")
    return date_format(due, "MONTH_DAY_FORMAT" if due.year == today.year else "DATE_FORMAT")


@register.simple_tag
def due_text(todo, today):
    """A todo's due date in words, for a plain-text e-mail."""
    return due_label(todo.due, today)


@register.simple_tag
def due(todo, today):
    """A todo's due date: relative for the eye, the exact date too for assistive technology."""
    if todo.due is None:
        return ""
    overdue = " overdue" if todo.due < today and not todo.completed else ""
    return format_html(
        '<time class="due{}" datetime="{}">{}<span class="visually-hidden"> ({})</span></time>',
        overdue,
        todo.due.isoformat(),
        due_label(todo.due, today),
        date_format(todo.due, "DATE_FORMAT"),
    )


@register.filter
def list_url(todo_list, name):
    """The URL of a list's page or action: {{ todo_list|list_url:"active" }}."""
    return todo_list.url(name)


class TodoItems:
    """The <li> of todos on a list page (and of one added by the page script), written in Python.

    The list page renders up to a page of todos, each with four action URLs and five labels. Through a template
    include that was a reverse() and a translation each, most of the page's time: here each URL is reversed and
    each label translated once per page. They are escaped once per page too, so that a todo's own <li> escapes
    only its title; format_html() escaping a dozen values a todo was a third of the page's time.
    """

    # What item() reads of a todo (a Todo, or a row of these fields).
    FIELDS = ("pk", "title", "completed", "due")

    def __init__(self, *, today, next_url="", movable=False):
        self.today = today
        self.next = escape(f"?next={quote(next_url, safe='/')}") if next_url else ""
        self.movable = movable
        self.urls = {
            name: [escape(part) for part in reverse(f"todos:{name}", args=[SENTINEL]).rsplit(SENTINEL, 1)]
            for name in TODO_ACTIONS
        }
        self.labels = {
            name: escape(label)
            for name, label in (
                ("reopen", gettext("Reopen")),
                ("done", gettext("Done")),
                ("up", gettext("Move up")),
                ("down", gettext("Move down")),
                ("edit", gettext("Edit")),
                ("delete", gettext("Delete")),
            )
        }

    def url(self, name, todo):
        """The escaped URL of a todo's action (its primary key is an integer: nothing of it needs escaping)."""
        before, after = self.urls[name]
        return f"{before}{todo.pk:d}{after}"

    def item(self, todo, index=None, last=False):
        """One todo's <li>: at `index` on the page; None for a todo the page script places (no positions).

        Every value put in is escaped: the title here, the rest in __init__; the positions are integers."""
        labels = self.labels
        move = ""
        if self.movable:
            url = self.url("move", todo)
            up, down = ("", "") if index is None else (f"{index - 1:d}", f"{index + 1:d}")
            move = (
                f'<span class="move"><button formaction="{url}" name="position" value="{up}" '
                f'aria-label="{labels["up"]}"{"" if index else HIDDEN}>↑</button>'
                f'<button formaction="{url}" name="position" value="{down}" '
                f'aria-label="{labels["down"]}"{HIDDEN if last else ""}>↓</button></span>'
            )
        completed = todo.completed
        # Django's escape() and mark_safe() are html.escape() and SafeString(), each behind a check for lazy
        # arguments that cost more than the escaping: a title is a str, and the item is built here.
        return SafeString(
            f'<li{COMPLETED if completed else ""}><div class="view"><label>{html.escape(todo.title)}</label>'
            f'{due(todo, self.today)}<button class="toggle-button" formaction="{self.url("toggle", todo)}" '
            f'name="completed" value="{"false" if completed else "true"}">'
            f"{labels['reopen'] if completed else labels['done']}</button>{move}"
            f'<a class="edit-link" href="{self.url("edit", todo)}{self.next}">{labels["edit"]}</a>'
            f'<button class="destroy" formaction="{self.url("delete", todo)}" aria-label="{labels["delete"]}">'
            "</button></div></li>"
        )


@register.simple_tag
def todo_items(todos, *, today, next_url, movable):
    """Each todo's <li>, one a line: {% todo_items todos today=today next_url=next movable=movable %}."""
    items = TodoItems(today=today, next_url=next_url, movable=movable)
    todos = list(todos)
    lines = [f"{items.item(todo, index, index == len(todos) - 1)}\n" for index, todo in enumerate(todos)]
    return mark_safe("".join(lines))  # noqa: S308 (each item is escaped by TodoItems.item)
