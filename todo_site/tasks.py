"""Functions run on Lambda by the scheduled events of zappa_settings.json."""

from django.core.management import call_command


def clear_expired(event, context):
    """The daily clean-up: expired sessions and log-in throttles."""
    call_command("clearsessions")
    call_command("clearloginthrottles")
