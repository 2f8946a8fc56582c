from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import devices, throttle
from .forms import DUPLICATE_EMAIL, AccountDeleteForm, AccountSettingsForm, PasswordChangeForm, SignupForm


class RequestFormMixin:
    """Hand the form the request: it counts attempts by the client's address."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class LoginView(auth_views.LoginView):
    def form_valid(self, form):
        response = super().form_valid(form)
        devices.remember(response, form.get_user().email_key)
        return response


def signed_out(request):
    """Too many wrong current passwords: end the session, as its holder may not be its owner."""
    logout(request)
    messages.error(request, throttle.PASSWORD_CHECKS_EXCEEDED)
    return redirect("login")


class PasswordChangeView(RequestFormMixin, auth_views.PasswordChangeView):
    form_class = PasswordChangeForm

    def form_invalid(self, form):
        if form.checks_exceeded():
            return signed_out(self.request)
        return super().form_invalid(form)


class PasswordResetView(RequestFormMixin, auth_views.PasswordResetView):
    pass


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("todos:list")
    form = SignupForm(request.POST or None, request=request)
    if form.is_valid():
        try:
            user = form.save()
        except IntegrityError:
            # Somebody signed up with this address between the form's check and the insert.
            form.add_error("email", DUPLICATE_EMAIL)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, gettext("Welcome! Your account is ready."))
            response = redirect("todos:list")
            devices.remember(response, user.email_key)
            return response
    return render(request, "accounts/signup.html", {"form": form})


@sensitive_post_parameters("password")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = AccountDeleteForm(request.user, request.POST or None, request=request)
    if form.is_valid():
        user = request.user
        # The session and the account go together or not at all.
        with transaction.atomic():
            logout(request)
            user.delete()
        messages.success(request, gettext("Your account and all its todos have been deleted."))
        return redirect("home")
    if form.checks_exceeded():
        return signed_out(request)
    return render(request, "accounts/account_delete.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request):
    form = AccountSettingsForm(request.POST or None, instance=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, gettext("Your settings are saved."))
        return redirect("account_settings")
    return render(request, "accounts/settings.html", {"form": form}, status=400 if form.is_bound else 200)
