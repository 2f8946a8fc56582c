from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .forms import AdminLoginForm, AdminUserAddForm, AdminUserChangeForm
from .models import LoginFailure, LoginLock, User, email_key

admin.site.login_form = AdminLoginForm
admin.site.site_header = _("Todo administration")
admin.site.site_title = _("Todo administration")


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


@admin.register(LoginFailure)
class LoginFailureAdmin(EmailKeySearchMixin, ReadOnlyAdmin):
    """Recent failed log-ins; deleting an address's failures lifts its refusal."""

    list_display = ("key", "address", "at")
    list_filter = ("at",)
    search_fields = ("key",)
    search_key = "key"
    ordering = ("-at",)


@admin.register(LoginLock)
class LoginLockAdmin(EmailKeySearchMixin, ReadOnlyAdmin):
    """Accounts that log in only after a password reset; deleting the lock lifts it."""

    list_display = ("key", "locked_at")
    search_fields = ("key",)
    search_key = "key"
    ordering = ("-locked_at",)
