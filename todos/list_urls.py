from django.urls import path

from . import views

app_name = "lists"
urlpatterns = [
    path("", views.lists, name="index"),
    path("<int:pk>/", views.todo_list, name="list"),
    path("<int:pk>/active/", views.todo_list, {"filter": "active"}, name="active"),
    path("<int:pk>/completed/", views.todo_list, {"filter": "completed"}, name="completed"),
    path("<int:pk>/toggle-all/", views.todo_toggle_all, name="toggle_all"),
    path("<int:pk>/clear-completed/", views.todo_clear_completed, name="clear_completed"),
    path("<int:pk>/rename/", views.list_rename, name="rename"),
    path("<int:pk>/delete/", views.list_delete, name="delete"),
]
