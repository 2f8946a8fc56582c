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
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from . import devices, mail, notices, throttle
from .models import User, time_zones

DUPLICATE_EMAIL = _("An account with this e-mail address already exists.")
# The error code of a form whose current password was refused too often.
CHECKS_EXCEEDED = "password_checks_exceeded"


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
    """A new account. Sign-ups from one client address are throttled (accounts/throttle.py), and past the
    number that hit an address with an account already every sign-up from there is refused: a refusal
    that came only for taken addresses would tell which are."""

    class Meta:
        model = User
        fields = ("email", "time_zone")
        field_classes = {"email": AddressField}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"}), "time_zone": forms.HiddenInput}

    def __init__(self, *args, request, **kwargs):
        self.network = throttle.client_network(request)
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].required = False

    def clean_email(self):
        # Counted as hitting a taken address until it is known not to, so that sign-ups at once cannot learn more.
        attempt, refusal = throttle.reserve(
            throttle.Action.SIGNUP_TAKEN, ["signup_taken", "signup"], address=self.network
        )
        if refusal:
            raise refusal
        email = super().clean_email()
        attempt.delete()
        return email

    def clean_time_zone(self):
        """The browser's time zone, as the page's script filled it in; UTC without the script, or for a name this
        server does not know."""
        name = self.cleaned_data.get("time_zone")
        return name if name in time_zones() else "UTC"

    def save(self, commit=True):
        """The new account; its password is hashed first, outside the short transaction that inserts it."""
        user = super().save(commit=False)
        if commit:
            with transaction.atomic():
                user.save()
            throttle.record(throttle.Action.SIGNUP, key=user.email_key, address=self.network)
        return user


class LoginThrottleMixin:
    """Check a password only when accounts/throttle.py allows it, and count the failures."""

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not (username and password):
            return super().clean()
        key = throttle.account_key(username)
        attempt = throttle.LogIn(key, throttle.client_network(self.request), devices.device(self.request, key))
        refusal = attempt.begin()
        if refusal:
            raise refusal
        try:
            super().clean()
        except ValidationError as error:
            # A right password to an account that may not log in here (the admin's, for a user who is not
            # staff) is no failure.
            if error.code != "invalid_login" or self.user_cache is not None:
                attempt.cancel()
                raise
            refusal = attempt.failed()
            if attempt.took_lock:
                notices.send_lock_notice(key)
            raise refusal or error from None
        attempt.succeeded()
        return self.cleaned_data


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


class CurrentPasswordMixin:
    """Check the signed-in user's current password, counting wrong ones (the `password_check` throttle). Past its
    limit the form has an error of code CHECKS_EXCEEDED, on which the view logs the session out."""

    def check_current_password(self, user, password, error):
        # Counted as wrong until it is known to be right, so that checks at once cannot guess more.
        fields = {"key": user.email_key, "address": self.network}
        attempt, refusal = throttle.reserve(throttle.Action.PASSWORD_CHECK, ["password_check"], **fields)
        if refusal:
            raise ValidationError(throttle.PASSWORD_CHECKS_EXCEEDED, code=CHECKS_EXCEEDED)
        if user.check_password(password):
            attempt.delete()
            return password
        if throttle.free_at("password_check", **fields):
            raise ValidationError(throttle.PASSWORD_CHECKS_EXCEEDED, code=CHECKS_EXCEEDED)
        raise error

    def checks_exceeded(self):
        return any(self.has_error(name, CHECKS_EXCEEDED) for name in self.fields)


class PasswordChangeForm(CurrentPasswordMixin, auth_forms.PasswordChangeForm):
    def __init__(self, user, *args, request, **kwargs):
        self.network = throttle.client_network(request)
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        return self.check_current_password(
            self.user,
            self.cleaned_data["old_password"],
            ValidationError(self.error_messages["password_incorrect"], code="password_incorrect"),
        )


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = AddressField(
        label=auth_forms.PasswordResetForm.base_fields["email"].label,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, request, **kwargs):
        self.network = throttle.client_network(request)
        super().__init__(*args, **kwargs)

    def save(self, *args, **kwargs):
        """Send the e-mail unless the account or this client address asked for too many lately. The page after
        is the same either way, as it is whether or not the address has an account."""
        key = throttle.account_key(self.cleaned_data["email"])
        rules = ["password_reset_account", "password_reset_address"]
        _attempt, refusal = throttle.reserve(throttle.Action.PASSWORD_RESET, rules, key=key, address=self.network)
        if refusal is None:
            super().save(*args, **kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        """Hand the e-mail to an asynchronous task: the page answers without waiting for the mail service. Its link
        is on the site's own address (SITE_URL), whichever host the request came to."""
        context = {**context, "link": mail.site_url("password_reset_confirm", context["uid"], context["token"])}
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        mail.send(EmailMessage(subject, render_to_string(email_template_name, context), from_email, [to_email]))

    def get_users(self, email):
        """The active account of this address however it is spelled, if it has a password."""
        return [user for user in User.objects.with_email(email).filter(is_active=True) if user.has_usable_password()]


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The new password of a password reset, which also unlocks the account."""

    def save(self, commit=True):
        user = super().save(commit)
        throttle.forget_account(user.email_key)
        return user


class AccountDeleteForm(CurrentPasswordMixin, forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, request, **kwargs):
        self.user = user
        self.network = throttle.client_network(request)
        super().__init__(*args, **kwargs)

    def clean_password(self):
        return self.check_current_password(
            self.user,
            self.cleaned_data["password"],
            ValidationError(_("That password is not correct."), code="password_incorrect"),
        )


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


class AccountSettingsForm(forms.ModelForm):
    digest_hour = forms.TypedChoiceField(
        label=User._meta.get_field("digest_hour").verbose_name,
        help_text=User._meta.get_field("digest_hour").help_text,
        choices=[("", _("No digest")), *[(hour, f"{hour:02d}:00") for hour in range(24)]],
        coerce=int,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = User
        fields = ("time_zone", "digest_hour")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget = forms.Select(choices=[(name, name) for name in sorted(time_zones())])
