"""
Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that logs in to an
account keeps a signed cookie naming the account and a random device id. Log-ins that bring it are counted for
that browser alone, so an attacker's failures from elsewhere never lock its owner out (accounts/throttle.py).

A browser keeps one device cookie: the account it last logged in to. The cookie is HttpOnly, Secure where the
session cookie is, and sent only with the site's own requests (SameSite=Strict); a forged or altered one, an
expired one, or one naming another account counts as none.
"""

import secrets

from django.conf import settings
from django.core import signing

COOKIE = "device"
SALT = "accounts.devices"


def remember(response, key):
    """Give the browser a new device cookie for the account `key` (its address key)."""
    value = signing.dumps({"account": key, "device": secrets.token_urlsafe(16)}, salt=SALT)
    response.set_cookie(
        COOKIE,
        value,
        max_age=settings.LOGIN_DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def device(request, key):
    """The device id of the browser's cookie for the account `key`, or "" if it brings no valid one."""
    value = request.COOKIES.get(COOKIE)
    if not value:
        return ""
    try:
        data = signing.loads(value, salt=SALT, max_age=settings.LOGIN_DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("account") != key or not isinstance(data.get("device"), str):
        return ""
    return data["device"]
