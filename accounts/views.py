from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .forms import DUPLICATE_EMAIL, AccountDeleteForm, SignupForm


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("todos:list")
    form = SignupForm(request.POST or None)
    if form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # Somebody signed up with this address between the form's check and the insert.
            form.add_error("email", DUPLICATE_EMAIL)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, gettext("Welcome! Your account is ready."))
            return redirect("todos:list")
    return render(request, "accounts/signup.html", {"form": form})


@sensitive_post_parameters("password")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = AccountDeleteForm(request.user, request.POST or None)
    if form.is_valid():
        user = request.user
        logout(request)
        user.delete()
        messages.success(request, gettext("Your account and all its todos have been deleted."))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})
