from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import services
from .forms import CompletedForm, TodoEditForm, TodoForm
from .models import Todo

FILTERS = {"all": "todos:list", "active": "todos:active", "completed": "todos:completed"}
FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def wants_json(request):
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def safe_next(request):
    """Where the user came from, if it is inside the site: the `next` field, else the Referer."""
    for url in (request.POST.get("next"), request.GET.get("next"), request.headers.get("referer")):
        if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
            return url
    return None


def redirect_back(request):
    # Not redirect(url): it would read a url without "/" or "." ("0", say) as a view name.
    url = safe_next(request)
    return HttpResponseRedirect(url) if url else redirect("todos:list")


def todo_json(request, todo):
    return {
        "id": todo.pk,
        "title": todo.title,
        "completed": todo.completed,
        "html": render_to_string("todos/_todo.html", {"todo": todo, "next": safe_next(request)}, request),
    }


def answer(request, status=200, **data):
    """The JSON answer of an action (with the owner's fresh counts), or a redirect back for a form post."""
    if not wants_json(request):
        return redirect_back(request)
    counts = Todo.objects.filter(owner=request.user).counts()
    # The counter as the page shows it, in the page's language and its plural rules.
    data.update(counts=counts, count_html=render_to_string("todos/_count.html", {"counts": counts}, request))
    return JsonResponse(data, status=status)


def json_errors(form, status=400):
    return JsonResponse({"errors": form.errors.get_json_data()}, status=status)


def form_posts(view):
    """Refuse a POST whose body is not form-encoded (JSON, say): its fields would read as missing."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and request.content_type not in FORM_CONTENT_TYPES:
            raise BadRequest("The body of a POST must be form-encoded.")
        return view(request, *args, **kwargs)

    return wrapper


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
                if wants_json(request):
                    return JsonResponse({"error": gettext("There is no such todo.")}, status=404)
                raise Http404("There is no such todo.")
            return view(request, todo)

        return wrapper

    return decorator


# The page only reads, and adding a todo is one INSERT: no BEGIN and COMMIT round trips for them.
@transaction.non_atomic_requests
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@form_posts
def todo_list(request, filter="all"):
    form = TodoForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if filter != "all":
            return HttpResponseNotAllowed(["GET"])
        if form.is_valid():
            try:
                todo = services.todo_create(owner=request.user, title=form.cleaned_data["title"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return answer(request, status=201, todo=todo_json(request, todo))
        if wants_json(request):
            return json_errors(form)
    todos = Todo.objects.filter(owner=request.user)
    counts = todos.counts()
    if filter != "all":
        todos = getattr(todos, filter)()
    context = {"form": form, "todos": todos, "counts": counts, "filter": filter, "filters": FILTERS}
    return render(request, "todos/todo_list.html", context)


@todo_action("POST")
def todo_toggle(request, todo):
    form = CompletedForm(request.POST)
    form.is_valid()
    completed = form.cleaned_data["completed"]
    services.todo_set_completed(todo=todo, completed=not todo.completed if completed is None else completed)
    return answer(request, todo=todo_json(request, todo))


@todo_action("GET", "POST")
def todo_edit(request, todo):
    form = TodoEditForm(request.POST or None, initial={"title": todo.title})
    if form.is_valid():
        pk = todo.pk
        try:
            renamed = services.todo_rename(todo=todo, title=form.cleaned_data["title"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if renamed is None:
                return answer(request, deleted=[pk])
            return answer(request, todo=todo_json(request, renamed))
    if request.method == "POST" and wants_json(request):
        return json_errors(form)
    return render(request, "todos/todo_edit.html", {"form": form, "todo": todo, "next": safe_next(request)})


@todo_action("POST")
def todo_delete(request, todo):
    pk = todo.pk
    todo.delete()
    return answer(request, deleted=[pk])


@login_required
@require_POST
@form_posts
def todo_toggle_all(request):
    form = CompletedForm(request.POST)
    form.is_valid()
    completed = form.cleaned_data["completed"]
    if completed is None:
        completed = Todo.objects.filter(owner=request.user).active().exists()
    services.todos_mark_all(owner=request.user, completed=completed)
    if not wants_json(request):
        return redirect_back(request)
    todos = [todo_json(request, todo) for todo in Todo.objects.filter(owner=request.user)]
    return answer(request, completed=completed, todos=todos)


@login_required
@require_POST
@form_posts
def todo_clear_completed(request):
    return answer(request, deleted=services.todos_clear_completed(owner=request.user))


@transaction.non_atomic_requests
@never_cache
@login_required
@require_safe
def todo_export(request):
    """The signed-in user's todos as a JSON file to keep, in list order."""
    todos = [
        {"title": title, "completed": completed, "created": created.isoformat(), "updated": updated.isoformat()}
        for title, completed, created, updated in Todo.objects.filter(owner=request.user).values_list(
            "title", "completed", "created", "updated"
        )
    ]
    response = JsonResponse({"todos": todos}, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="todos.json"'
    return response
