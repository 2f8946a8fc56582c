from django.contrib import admin, messages

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

    @admin.action(description="Mark selected todos as completed", permissions=["change"])
    def mark_completed(self, request, queryset):
        changed = queryset.mark(completed=True)
        self.message_user(request, f"{changed} todo(s) marked as completed.", messages.SUCCESS)

    @admin.action(description="Reopen selected todos", permissions=["change"])
    def reopen(self, request, queryset):
        changed = queryset.mark(completed=False)
        self.message_user(request, f"{changed} todo(s) reopened.", messages.SUCCESS)
