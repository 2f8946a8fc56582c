from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from todo_site.http import NotFound, form_posts, safe_next, wants_json

from .forms import CompletedForm, TodoEditForm, TodoForm
from .models import Todo

NO_SUCH_TODO = _("There is no such todo.")


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


def delete(request, todo):
    pk = todo.pk
    todo.delete()
    return answer(request, deleted=[pk])


def json_errors(form, status=400):
    return JsonResponse({"errors": form.errors.get_json_data()}, status=status)


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


# The form's field holds the title's rules; the database's constraints are the last word.
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
            todo = Todo.objects.create(owner=request.user, title=form.cleaned_data["title"])
            return answer(request, status=201, todo=todo_json(request, todo))
        if wants_json(request):
            return json_errors(form)
    todos = Todo.objects.filter(owner=request.user)
    counts = todos.counts()
    if filter != "all":
        todos = getattr(todos, filter)()
    context = {"form": form, "todos": todos, "counts": counts, "filter": filter}
    return render(request, "todos/todo_list.html", context)


def form_errors(request, form):
    """A 400 for a post the form refuses that has no page of its own to show the errors on."""
    if wants_json(request):
        return json_errors(form)
    raise BadRequest(form.errors.as_text())


@todo_action("POST")
def todo_toggle(request, todo):
    form = CompletedForm(request.POST)
    if not form.is_valid():
        return form_errors(request, form)
    completed = form.cleaned_data["completed"]
    todo.completed = not todo.completed if completed is None else completed
    todo.save(update_fields=["completed", "updated"])
    return answer(request, todo=todo_json(request, todo))


@todo_action("GET", "POST")
def todo_edit(request, todo):
    form = TodoEditForm(request.POST if request.method == "POST" else None, initial={"title": todo.title})
    if form.has_error("title", "missing"):
        return form_errors(request, form)
    if form.is_valid():
        # An emptied title deletes the todo, as in TodoMVC.
        if not form.cleaned_data["title"]:
            return delete(request, todo)
        todo.title = form.cleaned_data["title"]
        todo.save(update_fields=["title", "updated"])
        return answer(request, todo=todo_json(request, todo))
    if request.method == "POST" and wants_json(request):
        return json_errors(form)
    return render(request, "todos/todo_edit.html", {"form": form, "todo": todo, "next": safe_next(request)})


@todo_action("POST")
def todo_delete(request, todo):
    return delete(request, todo)


@never_cache
@login_required
@require_POST
@form_posts
def todo_toggle_all(request):
    form = CompletedForm(request.POST)
    if not form.is_valid():
        return form_errors(request, form)
    completed = form.cleaned_data["completed"]
    if completed is None:
        completed = Todo.objects.filter(owner=request.user).active().exists()
    Todo.objects.filter(owner=request.user).mark(completed=completed)
    if not wants_json(request):
        return redirect_back(request)
    todos = [todo_json(request, todo) for todo in Todo.objects.filter(owner=request.user)]
    return answer(request, completed=completed, todos=todos)


@never_cache
@login_required
@require_POST
@form_posts
def todo_clear_completed(request):
    return answer(request, deleted=Todo.objects.filter(owner=request.user).clear_completed())


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
