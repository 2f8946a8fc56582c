"""
What the accounts' forms count, and when they refuse (OWASP ASVS 5.0 6.3, NIST SP 800-63B 5.2.2, OWASP's
"Slow Down Online Guessing Attacks with Device Cookies"). Each rule's limit and window are in
settings.THROTTLES; the README's Security section says why.

Log-ins. A browser that has logged in to an account carries its device cookie (accounts/devices.py):
- with it, failures are counted for that browser alone (`login_device`), and nothing done from
  other browsers refuses it;
- without it, failures are counted per account and client address (`login_account_address`), per
  client address whatever the account (`login_address`, against password spraying), and per
  account from anywhere (`login_account`): past that ceiling the account refuses every browser
  without its cookie for a day, and its owner is told once, with a password-reset link.
A success forgets the failures of where it came from (the browser, or the account at that address);
a password reset forgets all of the account's, and lifts its lock.

An account is its address key (accounts.models.email_key) whether or not an account has it, so a
refusal looks the same for every address. A client address is the one API Gateway saw
(todo_site.http.client_address), an IPv6 address counting as its /64.

Every count and write here is a statement of its own, in autocommit: the password is hashed
between them, never inside a transaction, so that behind a transaction pooler no server
connection waits on a hash.
"""

import ipaddress
import math
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from todo_site.http import client_address

from .models import EMAIL_KEY_LENGTH, Attempt, LoginLock, email_key, lock_cutoff

Action = Attempt.Action
# Each rule: the action it counts and which of the attempt's fields must match.
RULES = {
    "login_account_address": (Action.LOGIN_FAILURE, ("key", "address", "device")),
    "login_address": (Action.LOGIN_FAILURE, ("address", "device")),
    "login_account": (Action.LOGIN_FAILURE, ("key", "device")),
    "login_device": (Action.LOGIN_FAILURE, ("key", "device")),
    "signup_taken": (Action.SIGNUP_TAKEN, ("address",)),
    "signup": (Action.SIGNUP, ("address",)),
    "password_reset_account": (Action.PASSWORD_RESET, ("key",)),
    "password_reset_address": (Action.PASSWORD_RESET, ("address",)),
    "password_check": (Action.PASSWORD_CHECK, ("key",)),
}
MESSAGES = {
    "login_account_address": ngettext_lazy(
        "Too many failed log-ins for this account from your network. Try again in %(minutes)d minute.",
        "Too many failed log-ins for this account from your network. Try again in %(minutes)d minutes.",
        "minutes",
    ),
    "login_address": ngettext_lazy(
        "Too many failed log-ins from your network. Try again in %(minutes)d minute.",
        "Too many failed log-ins from your network. Try again in %(minutes)d minutes.",
        "minutes",
    ),
    "login_device": ngettext_lazy(
        "Too many failed log-ins from this browser. Try again in %(minutes)d minute.",
        "Too many failed log-ins from this browser. Try again in %(minutes)d minutes.",
        "minutes",
    ),
    "signup_taken": ngettext_lazy(
        "Too many sign-ups from your network. Try again in %(minutes)d minute.",
        "Too many sign-ups from your network. Try again in %(minutes)d minutes.",
        "minutes",
    ),
}
MESSAGES["signup"] = MESSAGES["signup_taken"]
PASSWORD_CHECKS_EXCEEDED = _("Too many wrong passwords. For your account's safety you have been logged out.")
ACCOUNT_LOCKED = _(
    "This account is locked after too many failed log-ins. Log in from a browser you have used before, "
    "or reset the password to unlock it."
)


def network(address):
    """What a client address is counted as: itself, or for IPv6 its /64, which one subscriber usually holds."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def client_network(request):
    return network(client_address(request))


def account_key(username):
    """The key attempts are counted under for an address as typed: its address key, at most the key's length."""
    return email_key(username)[:EMAIL_KEY_LENGTH]


def free_at(rule, exclude=None, **fields):
    """When `rule` lets the next attempt with these fields through, if its limit is reached now; else None.

    `exclude`: an attempt of one's own already recorded, not counted against oneself.
    """
    action, names = RULES[rule]
    limit, seconds = settings.THROTTLES[rule]["limit"], settings.THROTTLES[rule]["seconds"]
    attempts = Attempt.objects.filter(action=action, **{name: fields[name] for name in names}).since(seconds)
    if exclude is not None:
        attempts = attempts.exclude(pk=exclude.pk)
    recent = list(attempts.order_by("-at").values_list("at", flat=True)[:limit])
    if len(recent) < limit:
        return None
    return recent[-1] + timedelta(seconds=seconds)


def refusal(rule, exclude=None, **fields):
    """The error an attempt gets from `rule` with these fields, or None."""
    until = free_at(rule, exclude, **fields)
    if until is None:
        return None
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    # The rules without a message of their own are refused by their callers' own words.
    return ValidationError(MESSAGES.get(rule, rule), code=rule, params={"minutes": minutes})


def first_refusal(rules, exclude=None, **fields):
    return next(filter(None, (refusal(rule, exclude, **fields) for rule in rules)), None)


def record(action, **fields):
    return Attempt.objects.create(action=action, **fields)


def reserve(action, rules, **fields):
    """Count an attempt before its work is done, then check `rules` without it: (the attempt, None), or (None, the
    error) when a rule refuses it, uncounted. Counting first bounds the attempts that run at once: each one counts
    every attempt recorded before it, so no more than a rule's limit get through. An attempt that turns out not
    to count is deleted by the caller."""
    attempt = record(action, **fields)
    error = first_refusal(rules, exclude=attempt, **fields)
    if error:
        attempt.delete()
        return None, error
    return attempt, None


class LogIn:
    """One log-in attempt to the account `key` from the client `address`, with the browser's `device` ("" for
    none), counted as a failure from before its password is checked until it is known to be none.

    Counting it first is what bounds concurrent guesses without a lock: of the attempts that run at once,
    each one counts every attempt recorded before it, so no more than a rule's limit get their password checked.
    """

    def __init__(self, key, address, device):
        self.fields = {"key": key, "address": address, "device": device}
        self.rules = ["login_device"] if device else ["login_address", "login_account_address"]
        self.attempt = None
        self.took_lock = False

    def begin(self):
        """Count the attempt; the error that refuses it before its password is checked, if any."""
        if not self.fields["device"] and LoginLock.objects.active().filter(key=self.fields["key"]).exists():
            return ValidationError(ACCOUNT_LOCKED, code="account_locked")
        self.attempt, error = reserve(Action.LOGIN_FAILURE, self.rules, **self.fields)
        return error

    def cancel(self):
        """The attempt was no failure (refused first, or the password was right for an account that may not log
        in here): it counts for nothing."""
        self.attempt.delete()

    def failed(self):
        """The password was wrong: the attempt stays counted. The error the next attempt from here would get,
        if any. Past the account's ceiling the account is locked for browsers without its cookie, and
        `took_lock` says whether this attempt took the lock (and so tells the owner)."""
        if not self.fields["device"] and free_at("login_account", **self.fields):
            self.took_lock = lock(self.fields["key"])
            return ValidationError(ACCOUNT_LOCKED, code="account_locked")
        return first_refusal(self.rules, **self.fields)

    def succeeded(self):
        """Forget the failures of where the success came from: this browser, or this account at this address."""
        attempts = Attempt.objects.filter(action=Action.LOGIN_FAILURE, key=self.fields["key"])
        if self.fields["device"]:
            attempts.filter(device=self.fields["device"]).delete()
        else:
            attempts.filter(address=self.fields["address"], device="").delete()


def lock(key):
    """Lock the account for browsers without its cookie. True when this call took the lock, which happens once
    per lock however many attempts reach the ceiling at once: the one that takes it tells the owner."""
    if LoginLock.objects.filter(key=key, locked_at__lte=lock_cutoff()).update(locked_at=timezone.now()):
        return True
    try:
        with transaction.atomic():
            LoginLock.objects.create(key=key)
    except IntegrityError:
        return False
    return True


def forget_account(key):
    """The account's password was reset: forget its failed log-ins and lift its lock."""
    Attempt.objects.filter(action=Action.LOGIN_FAILURE, key=key).delete()
    LoginLock.objects.filter(key=key).delete()
