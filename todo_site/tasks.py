"""Functions run on Lambda by the scheduled events of zappa_settings.json."""

from django.core.management import call_command

from accounts import mail
from todo_site.logs import invocation
from todos import digest


def clear_expired(event, context):
    """The daily clean-up: expired sessions, log-in throttles, old digest claims and e-mail rate counts."""
    invocation(context)
    call_command("clearsessions")
    call_command("clearloginthrottles")
    digest.forget()
    mail.forget_slots()


def daily_digests(event, context):
    """Every quarter of an hour: hand the users whose digest hour has come to the digest senders."""
    invocation(context)
    return {"digests": digest.dispatch()}
