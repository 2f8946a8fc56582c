from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

register = template.Library()


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
