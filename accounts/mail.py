"""
Every e-mail the site sends leaves through here, off the request.

`send(message)` hands the message to `deliver`, an asynchronous task (todo_site/background.py): a request
that sends a password-reset e-mail answers without waiting for the mail service. `deliver` takes one of the
e-mails the mail service accepts in a second (settings.EMAIL_SEND_RATE, counted in the database, so every
instance together keeps to it), then sends with the default mailer: SES's API under the function's role on
Lambda. A send that fails raises, so that Lambda retries it and, after its retries, keeps it in the
function's dead-letter queue, which raises an alarm: no e-mail is lost without a trace.
"""

import logging
import time

from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import get_script_prefix, reverse

from todo_site.background import background

from .models import SendingSecond, User

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "accounts.mail.unsubscribe"
# Headers that hold URLs in angle brackets (RFC 2369). Python's mail policy folds a line over 78 characters,
# and a URL has no space to fold at, so it would write it as RFC 2047 encoded words, which no mail client reads
# as a URL: these are written on one line (RFC 5322 allows 998 characters).
URL_HEADERS = {"List-Unsubscribe"}


class UnfoldedHeader(str):
    """A header Python's email package writes as it is (a value with a `name` is taken as a parsed header)."""

    def __new__(cls, name, value):
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"

    def __reduce__(self):
        return UnfoldedHeader, (self.name, str(self))


class NoSendingSlot(Exception):
    """No e-mail could be sent before the caller's deadline: the mail service's rate was taken by others."""


def send(message):
    """Send an EmailMessage (plain text, with its headers) from an asynchronous task. If the task cannot be
    started (Lambda's API unreachable), the error is logged, where the stack's alarm finds it, and the
    request goes on: a page answers the same whether or not an e-mail was due."""
    try:
        deliver(
            {
                "subject": message.subject,
                "body": message.body,
                "from_email": message.from_email,
                "to": message.to,
                "headers": message.extra_headers,
            }
        )
    except Exception:
        logger.exception("E-mail not sent: %r to %s could not be handed to its task.", message.subject, message.to)


def surely_not_sent(error):
    """Whether a send that raised `error` certainly left nothing with the mail service: it was refused (SES
    answered with an error) or never reached it. A timeout is not: the message may have gone."""
    return isinstance(error, (NoSendingSlot, ClientError, EndpointConnectionError, ConnectTimeoutError))


@background
def deliver(message):
    send_now(EmailMessage(**message))


def send_now(message, deadline=None):
    """Send at once, within the mail service's rate: wait for a free slot, unless it would come after
    `deadline` (a time.monotonic() value), then NoSendingSlot."""
    for name in URL_HEADERS & message.extra_headers.keys():
        message.extra_headers[name] = UnfoldedHeader(name, message.extra_headers[name])
    take_slot(deadline)
    message.send()


def take_slot(deadline=None):
    """Take one of the settings.EMAIL_SEND_RATE e-mails of this second, waiting for the next second if they
    are all taken. One statement each, outside any transaction: nothing is held while waiting."""
    while True:
        now = time.time()
        second = int(now)
        if SendingSecond.objects.filter(second=second, sent__lt=settings.EMAIL_SEND_RATE).update(sent=F("sent") + 1):
            return
        try:
            with transaction.atomic():
                SendingSecond.objects.create(second=second, sent=1)
            return
        except IntegrityError:
            # The second has its row: full, or made by another instance a moment ago (then the update wins).
            if not SendingSecond.objects.filter(second=second, sent__lt=settings.EMAIL_SEND_RATE).exists():
                wait = second + 1 - now
                if deadline is not None and time.monotonic() + wait > deadline:
                    rate = settings.EMAIL_SEND_RATE
                    raise NoSendingSlot(f"no e-mail slot before the deadline ({rate} a second)") from None
                time.sleep(wait)


def forget_slots():
    """Delete the counts of seconds past (the daily clean-up)."""
    return SendingSecond.objects.filter(second__lt=int(time.time()) - 60).delete()[0]


def site_url(name, *args):
    """The address of a page for an e-mail: settings.SITE_URL and the page's path, whichever host a request came
    to (an e-mail links to the site's own address) and whatever script prefix (the stage) the last request
    left to this instance, which a task it runs next would otherwise put in twice."""
    path = reverse(name, args=args).removeprefix(get_script_prefix())
    return f"{settings.SITE_URL.rstrip('/')}/{path}"


def unsubscribe_token(user):
    """The signed token of a digest's unsubscribe link: it names the account and cannot be forged."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def unsubscriber(token):
    """The account a token of unsubscribe_token() names, or None for a forged or altered one, or one of an
    account deleted since."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk).first() if isinstance(pk, int) else None
