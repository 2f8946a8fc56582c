"""Functions run on Lambda by the scheduled events of zappa_settings.json."""

from django.core.management import call_command


def clear_expired_sessions(event, context):
    call_command("clearsessions")
