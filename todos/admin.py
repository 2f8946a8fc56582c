from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Todo


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "completed", "created")
    list_filter = ("completed", "created")
    list_select_related = ("owner",)
    search_fields = ("title", "owner__email")
    autocomplete_fields = ("owner",)
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
