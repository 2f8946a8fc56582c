from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from todo_site.http import NotFound, form_posts, lambda_payload_bytes, safe_next, wants_json

from . import transfer
from .forms import (
    DUPLICATE_LIST,
    CompletedForm,
    ImportForm,
    MoveForm,
    SearchForm,
    TodoEditForm,
    TodoForm,
    TodoListForm,
)
from .models import Todo, TodoList
from .templatetags.todos import TodoItems

NO_SUCH_TODO = _("There is no such todo.")
NO_SUCH_LIST = _("There is no such list.")


def redirect_back(request, todo_list=None):
    # Not redirect(url): it would read a url without "/" or "." ("0", say) as a view name.
    url = safe_next(request)
    if url:
        return HttpResponseRedirect(url)
    return redirect(todo_list.url("list") if todo_list else "todos:list")


def todo_fields(todo):
    return {
        "id": todo.pk,
        "title": todo.title,
        "completed": todo.completed,
        "due": todo.due.isoformat() if todo.due else None,
    }


def todo_json(request, todo, **extra):
    return {
        **todo_fields(todo),
        "html": TodoItems(today=request.user.today(), next_url=safe_next(request), movable=True).item(todo),
        **extra,
    }


def answer(request, list_id, status=200, **data):
    """The JSON answer of an action (with the list's fresh counts), or a redirect back for a form post."""
    if not wants_json(request):
        return redirect_back(request)
    counts = Todo.objects.filter(todo_list_id=list_id).counts()
    # The counter as the page shows it, in the page's language and its plural rules.
    data.update(counts=counts, count_html=render_to_string("todos/_count.html", {"counts": counts}, request))
    return JsonResponse(data, status=status)


def delete(request, todo):
    pk = todo.pk
    todo.delete()
    return answer(request, todo.todo_list_id, deleted=[pk])


def json_errors(form, status=400):
    return JsonResponse({"errors": form.errors.get_json_data()}, status=status)


def form_errors(request, form):
    """A 400 for a post the form refuses that has no page of its own to show the errors on."""
    if wants_json(request):
        return json_errors(form)
    raise BadRequest(form.errors.as_text())


def owned_list(request, pk):
    """The signed-in user's list `pk`, or their default list for None; anybody else's id is a 404."""
    if pk is None:
        return TodoList.objects.default_for(request.user)
    todo_list = TodoList.objects.filter(owner=request.user, pk=pk).first()
    if todo_list is None:
        raise NotFound(NO_SUCH_LIST)
    return todo_list


def todo_action(*methods):
    """Run the view on one of the signed-in user's todos; anybody else's id is a 404."""

    def decorator(view):
        @never_cache
        @login_required
        @require_http_methods(list(methods))
        @form_posts
        @wraps(view)
        def wrapper(request, pk):
            todo = Todo.objects.filter(owner=request.user, pk=pk).first()
            if todo is None:
                raise NotFound(NO_SUCH_TODO)
            return view(request, todo)

        return wrapper

    return decorator


def list_action(view):
    """Run the view on one of the signed-in user's lists (the default list without an id)."""

    @never_cache
    @login_required
    @form_posts
    @wraps(view)
    def wrapper(request, pk=None, **kwargs):
        return view(request, owned_list(request, pk), **kwargs)

    return wrapper


def todo_limit_error(user, adding=1):
    if Todo.objects.filter(owner=user).count() + adding > settings.TODOS_PER_USER:
        return ValidationError(
            _("You have %(limit)s todos, as many as an account can keep. Delete some to add more."),
            code="too_many_todos",
            params={"limit": settings.TODOS_PER_USER},
        )
    return None


def page_number(request):
    """The page asked for, within the pages a user's todos can fill."""
    last = settings.TODOS_PER_USER // settings.TODO_PAGE_SIZE + 1
    page = request.GET.get("page", "1")
    return min(max(1, int(page)), last) if page.isascii() and page.isdecimal() and len(page) < 10 else 1


def paginate(request, todos):
    """The todos of the requested page (TODO_PAGE_SIZE each), and the next page's number if there is one."""
    number, size = page_number(request), settings.TODO_PAGE_SIZE
    shown = list(todos[(number - 1) * size : number * size + 1])
    return shown[:size], (number + 1 if len(shown) > size else None)


# The form's field holds the title's rules; the database's constraints are the last word.
@require_http_methods(["GET", "POST"])
@list_action
def todo_list(request, todo_list, filter="all"):
    form = TodoForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if filter != "all":
            return HttpResponseNotAllowed(["GET"])
        if form.is_valid():
            error = todo_limit_error(request.user)
            if error is None:
                todo = Todo.objects.add(todo_list=todo_list, **form.cleaned_data)
                return answer(request, todo_list.pk, status=201, todo=todo_json(request, todo))
            form.add_error(None, error)
        if wants_json(request):
            return json_errors(form)
    todos = todo_list.todos.all()
    counts = todos.counts()
    if filter != "all":
        todos = getattr(todos, filter)()
    # Rows of what a todo's <li> shows, not model instances: half the time of a page of todos.
    todos, next_page = paginate(request, todos.values_list(*TodoItems.FIELDS, named=True))
    context = {
        "form": form,
        "todo_list": todo_list,
        "todos": todos,
        "counts": counts,
        "filter": filter,
        # Todos are moved on the list's whole page: the filtered pages, and the pages past the first of a long
        # list, show a part of the order.
        "movable": filter == "all" and page_number(request) == 1,
        "next_page": next_page,
        "today": request.user.today(),
    }
    return render(request, "todos/todo_list.html", context)


@todo_action("POST")
def todo_toggle(request, todo):
    form = CompletedForm(request.POST)
    if not form.is_valid():
        return form_errors(request, form)
    completed = form.cleaned_data["completed"]
    todo.completed = not todo.completed if completed is None else completed
    todo.save(update_fields=["completed", "updated"])
    return answer(request, todo.todo_list_id, todo=todo_json(request, todo))


@todo_action("GET", "POST")
def todo_edit(request, todo):
    form = TodoEditForm(
        request.POST if request.method == "POST" else None, initial={"title": todo.title, "due": todo.due}
    )
    if form.has_error("title", "missing"):
        return form_errors(request, form)
    if form.is_valid():
        changes = form.changes()
        # An emptied title deletes the todo, as in TodoMVC.
        if "title" in changes and not changes["title"]:
            return delete(request, todo)
        for name, value in changes.items():
            setattr(todo, name, value)
        todo.save(update_fields=[*changes, "updated"])
        return answer(request, todo.todo_list_id, todo=todo_json(request, todo))
    if request.method == "POST" and wants_json(request):
        return json_errors(form)
    return render(request, "todos/todo_edit.html", {"form": form, "todo": todo, "next": safe_next(request)})


@todo_action("POST")
def todo_delete(request, todo):
    return delete(request, todo)


@todo_action("POST")
def todo_move(request, todo):
    """Put the todo at a 0-based `position` of its list, or of another `list` of the user's."""
    form = MoveForm(request.POST, owner=request.user)
    if not form.is_valid():
        return form_errors(request, form)
    source = todo.todo_list_id
    todo.move(form.cleaned_data["position"], form.cleaned_data["list"])
    return answer(request, source, todo=todo_json(request, todo, list=todo.todo_list_id))


@require_POST
@list_action
def todo_toggle_all(request, todo_list):
    form = CompletedForm(request.POST)
    if not form.is_valid():
        return form_errors(request, form)
    completed = form.cleaned_data["completed"]
    if completed is None:
        completed = todo_list.todos.active().exists()
    todo_list.todos.mark(completed=completed)
    if not wants_json(request):
        return redirect_back(request, todo_list)
    todos = [todo_json(request, todo) for todo in todo_list.todos.all()[: settings.TODO_PAGE_SIZE]]
    return answer(request, todo_list.pk, completed=completed, todos=todos)


@require_POST
@list_action
def todo_clear_completed(request, todo_list):
    return answer(request, todo_list.pk, deleted=todo_list.todos.clear_completed())


# The user's lists


def list_json(todo_list):
    counts = {"total": todo_list.total, "active": todo_list.active, "completed": todo_list.completed}
    return {"id": todo_list.pk, "name": todo_list.name, "default": todo_list.is_default, "counts": counts}


def make_list(owner, form):
    """A new list of the form's name, or None with the form's error: past the limit, or a name taken."""
    if TodoList.objects.filter(owner=owner).count() >= settings.TODO_LISTS_PER_USER:
        limit = settings.TODO_LISTS_PER_USER
        message = _("You have %(limit)s lists, as many as an account can keep.")
        form.add_error(None, ValidationError(message, code="too_many_lists", params={"limit": limit}))
        return None
    try:
        with transaction.atomic():
            return TodoList.objects.create(owner=owner, name=form.cleaned_data["name"])
    except IntegrityError:
        # Made at the same moment, or a name case folding keeps apart and the database's LOWER() does not.
        form.add_error("name", ValidationError(DUPLICATE_LIST, code="duplicate"))
        return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@form_posts
def lists(request):
    """The user's lists with their counts, and a form to make another."""
    TodoList.objects.default_for(request.user)
    form = TodoListForm(request.POST if request.method == "POST" else None, owner=request.user)
    todo_list = make_list(request.user, form) if form.is_valid() else None
    if todo_list is not None:
        if wants_json(request):
            todo_list.total = todo_list.active = todo_list.completed = 0
            return JsonResponse({"list": list_json(todo_list)}, status=201)
        return redirect(todo_list)
    if request.method == "POST" and wants_json(request):
        return json_errors(form)
    owned = TodoList.objects.filter(owner=request.user).with_counts()
    if wants_json(request):
        return JsonResponse({"lists": [list_json(todo_list) for todo_list in owned]})
    return render(request, "todos/lists.html", {"form": form, "lists": owned})


@require_POST
@list_action
def list_rename(request, todo_list):
    form = TodoListForm(request.POST, owner=request.user, instance=todo_list)
    if not form.is_valid():
        return form_errors(request, form)
    todo_list.name = form.cleaned_data["name"]
    try:
        with transaction.atomic():
            todo_list.save(update_fields=["name"])
    except IntegrityError:
        # A name case folding keeps apart from another list's and the database's LOWER() does not.
        form.add_error("name", ValidationError(DUPLICATE_LIST, code="duplicate"))
        return form_errors(request, form)
    if wants_json(request):
        return JsonResponse({"id": todo_list.pk, "name": todo_list.name})
    return redirect_back(request, todo_list)


@require_http_methods(["GET", "POST"])
@list_action
def list_delete(request, todo_list):
    """A confirmation page, then the list and its todos are deleted; the default list stays."""
    if todo_list.is_default:
        raise BadRequest("The default list cannot be deleted.")
    if request.method == "POST":
        todo_list.delete()
        return redirect("lists:index")
    return render(request, "todos/list_delete.html", {"todo_list": todo_list, "count": todo_list.todos.count()})


# Across lists


def todos_answer(request, template, todos, **context):
    """The todos with their lists, as a page or as JSON."""
    if wants_json(request):
        return JsonResponse(
            {
                "todos": [
                    {**todo_fields(todo), "list": {"id": todo.todo_list_id, "name": todo.todo_list.name}}
                    for todo in todos
                ],
                **({"next_page": context["next_page"]} if context.get("next_page") else {}),
            },
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, template, {"todos": todos, "today": request.user.today(), **context})


def across_lists(request):
    return Todo.objects.filter(owner=request.user).select_related("todo_list")


@never_cache
@login_required
@require_safe
def today(request):
    """What is due today, and overdue, from every list."""
    todos = across_lists(request).due_by(request.user.today()).order_by("due", "todo_list", "position", "pk")
    return todos_answer(request, "todos/today.html", todos[: settings.TODO_PAGE_SIZE])


@never_cache
@login_required
@require_safe
def upcoming(request):
    """What is due in the next seven days, from every list, by day."""
    first = request.user.today()
    days = [first + timedelta(days=n) for n in range(7)]
    todos = across_lists(request).active().filter(due__range=(days[0], days[-1]))
    todos = list(todos.order_by("due", "todo_list", "position", "pk")[: settings.TODO_PAGE_SIZE])
    by_day = [(day, [todo for todo in todos if todo.due == day]) for day in days]
    return todos_answer(request, "todos/upcoming.html", todos, days=by_day)


@never_cache
@login_required
@require_safe
def search(request):
    """Todos whose title holds the words asked for, letter case ignored, from every list."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    todos, next_page = [], None
    if query:
        todos, next_page = paginate(
            request, across_lists(request).filter(title__icontains=query).order_by("todo_list", "position", "pk")
        )
    return todos_answer(request, "todos/search.html", todos, form=form, query=query, next_page=next_page)


# Export and import


@never_cache
@login_required
@require_safe
def todo_export(request):
    """The signed-in user's lists and todos (`?list=<id>`: that list's), in their order, as a JSON file to keep or
    import elsewhere; a 413 when it is larger than a Lambda function may answer."""
    todo_list = None
    if "list" in request.GET:
        pk = request.GET["list"]
        if not (pk.isascii() and pk.isdecimal() and len(pk) < 19):
            raise NotFound(NO_SUCH_LIST)
        todo_list = owned_list(request, int(pk))
    data = transfer.export(request.user, todo_list)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    if lambda_payload_bytes(response) > settings.RESPONSE_MAX_BYTES:
        message = gettext(
            "Your todos are more than can be downloaded at once. Download your lists one by one from the Lists page."
        )
        if wants_json(request):
            return JsonResponse({"error": message}, status=413)
        return render(request, "todos/export_too_large.html", {"message": message}, status=413)
    response["Content-Disposition"] = 'attachment; filename="todos.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def todo_import(request):
    """Add the lists and todos of an exported file to the account: all of them, or none and the first error."""
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    if form.is_valid():
        try:
            added = transfer.import_file(request.user, form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            if wants_json(request):
                return JsonResponse(added, status=201)
            message = ngettext("Imported %(todos)d todo.", "Imported %(todos)d todos.", added["todos"])
            messages.success(request, message % added)
            return redirect("lists:index")
    if posted:
        if wants_json(request):
            return json_errors(form)
        return render(request, "todos/import.html", {"form": form}, status=400)
    return render(request, "todos/import.html", {"form": form})
