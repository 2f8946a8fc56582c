from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    BaseUserCreationForm,
    UserChangeForm,
    UsernameField,
)
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import LoginThrottle, User


class UniqueEmailMixin:
    def clean_email(self):
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError("An account with this e-mail address already exists.", code="duplicate_email")
        return email


class SignupForm(UniqueEmailMixin, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}


class LoginThrottleMixin:
    """Refuse log-ins for an account key after too many failures, for a cool-off time (see LoginThrottle).

    Never keyed on the client's address: behind API Gateway it comes from X-Forwarded-For, which
    the client writes. While locked, even the right password is refused.
    """

    locked_message = "Too many failed log-ins for this account. Try again in %(wait)s."

    def clean(self):
        username = self.cleaned_data.get("username")
        if not username:
            return super().clean()
        # The throttle's row stays locked while the password is checked: concurrent attempts on one
        # account are counted one after another, so no more than the limit are ever checked.
        with transaction.atomic():
            throttle = LoginThrottle.objects.acquire(username)
            error = self.attempt(throttle)
        if error:
            raise error
        return self.cleaned_data

    def attempt(self, throttle):
        """Check the password unless the key is locked; record the outcome; return the error to show, if any."""
        if throttle.is_locked():
            return self.locked_error(throttle)
        try:
            super().clean()
        except ValidationError as error:
            if error.code != "invalid_login":
                return error
            throttle.record_failure()
            return self.locked_error(throttle) if throttle.is_locked() else error
        if self.get_user() is not None:
            throttle.delete()
        return None

    def locked_error(self, throttle):
        minutes = throttle.minutes_left()
        wait = f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
        return ValidationError(self.locked_message, code="locked", params={"wait": wait})


class LoginForm(LoginThrottleMixin, AuthenticationForm):
    username = UsernameField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The e-mail address and password do not match an account.",
    }


class AdminLoginForm(LoginThrottleMixin, AdminAuthenticationForm):
    pass


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That password is not correct.", code="password_incorrect")
        return password


class AdminUserAddForm(UniqueEmailMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)


class AdminUserChangeForm(UniqueEmailMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
