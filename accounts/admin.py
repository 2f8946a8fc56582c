from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .forms import AdminUserAddForm, AdminUserChangeForm
from .models import Attempt, LoginLock, User, email_key


class EmailKeySearchMixin:
    """Search by address key: the term spelled as the key is (ALICE@ finds alice@), as part of a key."""

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(**{f"{self.search_key}__contains": email_key(search_term)}), False


@admin.register(User)
class UserAdmin(EmailKeySearchMixin, BaseUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserAddForm
    list_display = ("email", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "date_joined", "last_login")
    search_fields = ("email_key",)
    search_key = "email_key"
    search_help_text = "Part of an e-mail address, however it is spelled."
    ordering = ("email",)
    readonly_fields = ("email_key", "date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "email_key", "password")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(EmailKeySearchMixin, ReadOnlyAdmin):
    """Recent attempts the throttles count (failed log-ins, sign-ups, ...); deleting them lifts a refusal."""

    list_display = ("action", "key", "address", "device", "at")
    list_filter = ("action", "at")
    search_fields = ("key",)
    search_key = "key"
    ordering = ("-at",)


@admin.register(LoginLock)
class LoginLockAdmin(EmailKeySearchMixin, ReadOnlyAdmin):
    """Accounts that refuse browsers without their device cookie for a day; deleting the lock lifts it."""

    list_display = ("key", "locked_at")
    search_fields = ("key",)
    search_key = "key"
    ordering = ("-locked_at",)
