"""
How failed log-ins are throttled, on the site's log-in page and the admin's (OWASP ASVS 5.0 6.3,
NIST SP 800-63B 5.2.2):

- from one client address, LOGIN_FAILURE_LIMIT failures for an account within LOGIN_LOCKOUT_SECONDS
  refuse that address for that account until the oldest of them is that old;
- from anywhere, LOGIN_DAILY_FAILURE_LIMIT failures for an account within a day lock it until its
  password is reset by e-mail;
- a successful log-in or password reset forgets the account's failures, and a successful log-in
  writes nothing.

An account is its address key (accounts.models.email_key) whether or not an account has it, so a
refusal looks the same for every address and tells nothing about which accounts exist. The client
address is the one API Gateway saw (todo_site.http.client_address), never a header the client wrote.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from .models import DAY_SECONDS, EMAIL_KEY_LENGTH, LoginFailure, LoginLock, email_key


def account_key(username):
    """The key failures are counted under for a username as typed: its address key, at most the key's length."""
    return email_key(username)[:EMAIL_KEY_LENGTH]


def refusal(key, address):
    """The error a log-in to `key` from `address` gets before its password is checked, or None."""
    if LoginLock.objects.filter(key=key).exists():
        return ValidationError(
            gettext("This account is locked after too many failed log-ins. Reset its password to unlock it."),
            code="reset_required",
        )
    window = settings.LOGIN_LOCKOUT_SECONDS
    recent = list(
        LoginFailure.objects.filter(key=key, address=address)
        .since(window)
        .order_by("-at")
        .values_list("at", flat=True)[: settings.LOGIN_FAILURE_LIMIT]
    )
    if len(recent) < settings.LOGIN_FAILURE_LIMIT:
        return None
    minutes = math.ceil((recent[-1] + timedelta(seconds=window) - timezone.now()).total_seconds() / 60)
    message = ngettext(
        "Too many failed log-ins for this account from your network. Try again in %(minutes)d minute.",
        "Too many failed log-ins for this account from your network. Try again in %(minutes)d minutes.",
        minutes,
    )
    return ValidationError(message, code="locked", params={"minutes": minutes})


def record_failure(key, address):
    """Count a failed log-in; returns the error the next attempt from `address` would get, if any."""
    LoginFailure.objects.create(key=key, address=address)
    if LoginFailure.objects.filter(key=key).since(DAY_SECONDS).count() >= settings.LOGIN_DAILY_FAILURE_LIMIT:
        LoginLock.objects.get_or_create(key=key)
    return refusal(key, address)


def clear(key):
    """Forget the account's failures and lift its lock: it logged in, or its password was reset."""
    LoginFailure.objects.filter(key=key).delete()
    LoginLock.objects.filter(key=key).delete()
