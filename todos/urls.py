from django.urls import path

from . import views

app_name = "todos"
urlpatterns = [
    # The default list's page and actions.
    path("", views.todo_list, name="list"),
    path("active/", views.todo_list, {"filter": "active"}, name="active"),
    path("completed/", views.todo_list, {"filter": "completed"}, name="completed"),
    path("toggle-all/", views.todo_toggle_all, name="toggle_all"),
    path("clear-completed/", views.todo_clear_completed, name="clear_completed"),
    path("export/", views.todo_export, name="export"),
    path("import/", views.todo_import, name="import"),
    # One todo, in whichever list.
    path("<int:pk>/toggle/", views.todo_toggle, name="toggle"),
    path("<int:pk>/edit/", views.todo_edit, name="edit"),
    path("<int:pk>/delete/", views.todo_delete, name="delete"),
    path("<int:pk>/move/", views.todo_move, name="move"),
]
