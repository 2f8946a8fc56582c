from django.contrib import admin
from django.urls import include, path

from todos import views as todo_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("todos/", include("todos.urls")),
    path("lists/", include("todos.list_urls")),
    path("today/", todo_views.today, name="today"),
    path("upcoming/", todo_views.upcoming, name="upcoming"),
    path("search/", todo_views.search, name="search"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", views.set_language, name="set_language"),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
