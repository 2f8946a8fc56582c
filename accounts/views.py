from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import devices, mail, throttle
from .forms import DUPLICATE_EMAIL, AccountDeleteForm, AccountSettingsForm, PasswordChangeForm, SignupForm
from .models import User


class RequestFormMixin:
    """Hand the form the request: it counts attempts by the client's address."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


def remember_language(user, language):
    """Keep the language the user reads the site in: the e-mails sent outside a request are in it."""
    if language != user.language and language in dict(settings.LANGUAGES):
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)


class LoginView(auth_views.LoginView):
    def form_valid(self, form):
        response = super().form_valid(form)
        devices.remember(response, form.get_user().email_key)
        remember_language(form.get_user(), self.request.LANGUAGE_CODE)
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
            remember_language(user, request.LANGUAGE_CODE)
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


# A mail client's one-click unsubscribe (RFC 8058) posts without a session, a cookie or a CSRF token; the signed
# token in the address is the only credential, and all it can do is turn the digest off.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token):
    """GET asks (a link checker that opens the link changes nothing); POST turns the daily digest off."""
    user = mail.unsubscriber(token)
    if user is None:
        raise Http404
    if request.method == "POST":
        User.objects.filter(pk=user.pk).update(digest_hour=None)
        return render(request, "accounts/digest_unsubscribed.html", {"email": user.email})
    return render(request, "accounts/digest_unsubscribe.html", {"email": user.email, "token": token})
