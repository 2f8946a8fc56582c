from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import email_key

from .models import Digest, Todo, TodoList


class OwnerKeySearchMixin:
    """Search the search_fields as usual, and the owner's address key too (ANN@ finds ann@'s)."""

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return found, duplicates
        return found | queryset.filter(owner__email_key__contains=email_key(search_term)), duplicates


@admin.register(Todo)
class TodoAdmin(OwnerKeySearchMixin, admin.ModelAdmin):
    list_display = ("title", "owner", "todo_list", "completed", "due", "created")
    list_filter = ("completed", "due", "created")
    list_select_related = ("owner", "todo_list")
    search_fields = ("title",)
    search_help_text = _("Part of a title, or of its owner's e-mail address however it is spelled.")
    autocomplete_fields = ("owner", "todo_list")
    readonly_fields = ("created", "updated")
    date_hierarchy = "created"
    actions = ("mark_completed", "reopen")

    @admin.action(description=_("Mark selected todos as completed"), permissions=["change"])
    def mark_completed(self, request, queryset):
        changed = queryset.mark(completed=True)
        message = ngettext("%(count)d todo marked as completed.", "%(count)d todos marked as completed.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Reopen selected todos"), permissions=["change"])
    def reopen(self, request, queryset):
        changed = queryset.mark(completed=False)
        message = ngettext("%(count)d todo reopened.", "%(count)d todos reopened.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)


@admin.register(TodoList)
class TodoListAdmin(OwnerKeySearchMixin, admin.ModelAdmin):
    list_display = ("name", "owner", "is_default", "created")
    list_filter = ("is_default", "created")
    list_select_related = ("owner",)
    search_fields = ("name",)
    search_help_text = _("Part of a list's name, or of its owner's e-mail address however it is spelled.")
    autocomplete_fields = ("owner",)
    readonly_fields = ("created",)


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """The daily digests, as the senders recorded them: read only, since each row is a sender's claim. Deleting
    a refused or unanswered one lets the next run send that day's digest again."""

    list_display = ("user", "day", "state", "attempts", "todos", "sent_at")
    list_filter = ("state", "day")
    list_select_related = ("user",)
    search_fields = ("user__email_key",)
    search_help_text = _("Part of the user's e-mail address.")
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
