from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    BaseUserCreationForm,
    UserChangeForm,
    UsernameField,
)
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from todo_site.http import client_address

from . import throttle
from .models import User

DUPLICATE_EMAIL = _("An account with this e-mail address already exists.")


class AddressField(forms.EmailField):
    """An e-mail address that reads full-width typing as the address it stands for (see UserManager.normalize_email)."""

    def to_python(self, value):
        return User.objects.normalize_email(super().to_python(value))


class UniqueEmailMixin:
    def clean_email(self):
        email = self.cleaned_data["email"]
        if User.objects.with_email(email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(DUPLICATE_EMAIL, code="duplicate_email")
        return email


class SignupForm(UniqueEmailMixin, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)
        field_classes = {"email": AddressField}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}


class LoginThrottleMixin:
    """Check a password only when accounts/throttle.py allows it, and count the failures."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if not username:
            return super().clean()
        key, address = throttle.account_key(username), client_address(self.request)
        # The account's row stays locked while its password is checked: concurrent attempts on one
        # account are counted one after another, so no more than the limit are ever checked.
        with transaction.atomic():
            list(User.objects.with_email(username).select_for_update().values_list("pk"))
            error = self.attempt(key, address)
        if error:
            raise error
        return self.cleaned_data

    def attempt(self, key, address):
        """Check the password unless refused; record the outcome; return the error to show, if any."""
        refusal = throttle.refusal(key, address)
        if refusal:
            return refusal
        try:
            super().clean()
        except ValidationError as error:
            if error.code != "invalid_login":
                return error
            return throttle.record_failure(key, address) or error
        if self.get_user() is not None:
            throttle.clear(key)
        return None


class LoginForm(LoginThrottleMixin, AuthenticationForm):
    username = UsernameField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address and password do not match an account."),
    }


class AdminLoginForm(LoginThrottleMixin, AdminAuthenticationForm):
    pass


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = AddressField(
        label=auth_forms.PasswordResetForm.base_fields["email"].label,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        """The active account of this address however it is spelled, if it has a password."""
        return [user for user in User.objects.with_email(email).filter(is_active=True) if user.has_usable_password()]


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The new password of a password reset, which also unlocks the account."""

    def save(self, commit=True):
        user = super().save(commit)
        throttle.clear(user.email_key)
        return user


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That password is not correct."), code="password_incorrect")
        return password


class AdminUserAddForm(UniqueEmailMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)
        field_classes = {"email": AddressField}


class AdminUserChangeForm(UniqueEmailMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {"email": AddressField}
