"""
The daily digest: one e-mail a day, at the hour a user chose of their own day, listing the todos due that
day and overdue, from every list, in the user's language.

`dispatch` runs every quarter of an hour (an event of zappa_settings.json). It finds the users whose hour
has come and who have no digest of their today yet, and hands them on in settings.DIGEST_WORKERS batches to
`send_digests`, a Zappa asynchronous task. Lambda and EventBridge deliver at least once, so a run may be
delivered twice, overlap another, or be retried after it failed halfway; every user still gets one digest
a day at most:

- The claim is a database fact: a Digest row (user, day) inserted before the e-mail is sent. Its unique
  constraint gives it to one sender; any other skips the user.
- A send the mail service refused, or that never left, releases its claim, and the batch raises once the
  rest is sent: Lambda runs it again, and only the users without a digest are sent to, each at most
  settings.DIGEST_ATTEMPTS times a day. After Lambda's two retries the batch goes to the dead-letter
  queue, and its alarm to the operators.
- A send with no answer (a timeout: the mail may have gone), or a sender stopped between its claim and
  the answer, keeps the claim: that user misses one day's digest rather than risk getting it twice.
- An event that arrives after the user's day has ended (a late retry, a replayed one) sends nothing.

All senders together keep within the mail service's rate (accounts/mail.py); a batch that cannot finish
within settings.DIGEST_WORKER_SECONDS hands the rest on to a new invocation, well inside the function's
timeout.
"""

import logging
import time
import zoneinfo
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts import mail
from todo_site.background import background

from .models import Digest, Todo

logger = logging.getLogger(__name__)


class DigestsNotSent(Exception):
    """Some digests of a batch could not be sent; their claims are released for the retry."""


def due_recipients(now=None):
    """[user id, their today as an ISO date] of every user whose digest hour has come and who has no digest
    of their today: two queries, however many users and time zones."""
    now = now or timezone.now()
    User = get_user_model()
    subscribers = User.objects.filter(is_active=True, digest_hour__isnull=False)
    # Time zones with the same date and hour now are asked about together.
    zones = defaultdict(list)
    for name in subscribers.order_by().values_list("time_zone", flat=True).distinct():
        try:
            local = now.astimezone(zoneinfo.ZoneInfo(name))
        except zoneinfo.ZoneInfoNotFoundError:
            logger.error("Time zone %s is unknown: its users get no digest.", name)
            continue
        zones[local.date(), local.hour].append(name)
    if not zones:
        return []
    # A digest of the day counts as had unless a failed send released it for another attempt.
    retry = Q(state=Digest.State.FAILED, attempts__lt=settings.DIGEST_ATTEMPTS)
    had = {
        f"had_{day:%Y%m%d}": Exists(Digest.objects.filter(user=OuterRef("pk"), day=day).exclude(retry))
        for day, _ in zones
    }
    subscribers = subscribers.alias(**had)
    hour_has_come = Q()
    for (day, hour), names in zones.items():
        hour_has_come |= Q(time_zone__in=names, digest_hour__lte=hour, **{f"had_{day:%Y%m%d}": False})
    day_of = {name: day for (day, _), names in zones.items() for name in names}
    due = subscribers.filter(hour_has_come).order_by("pk").values_list("pk", "time_zone")
    return [[pk, day_of[name].isoformat()] for pk, name in due]


def dispatch(now=None):
    """Hand the users due a digest to settings.DIGEST_WORKERS asynchronous batches; the number handed on.

    At most DIGEST_BATCH_SIZE a batch: an asynchronous invocation's event is at most 256 KB. Whoever is left
    over is still due at the next run, a quarter of an hour later.
    """
    workers = settings.DIGEST_WORKERS
    recipients = due_recipients(now)[: workers * settings.DIGEST_BATCH_SIZE]
    for batch in (recipients[index::workers] for index in range(workers)):
        if batch:
            send_digests(batch)
    return len(recipients)


@background
def send_digests(recipients):
    """Send the digests of [user id, ISO date] pairs, within settings.DIGEST_WORKER_SECONDS: the rest is handed
    on to a new invocation. Raises DigestsNotSent once the rest is done if any failed, for Lambda to retry."""
    deadline = time.monotonic() + settings.DIGEST_WORKER_SECONDS
    failed = []
    for index, (user_id, day) in enumerate(recipients):
        try:
            if time.monotonic() > deadline:
                raise mail.NoSendingSlot("out of time")
            send_digest(user_id, date.fromisoformat(day), deadline=deadline)
        except mail.NoSendingSlot:
            send_digests(recipients[index:])
            break
        except Exception:
            logger.exception("The digest of user %s for %s was not sent.", user_id, day)
            failed.append(user_id)
    if failed:
        raise DigestsNotSent(f"{len(failed)} of {len(recipients)} digests were not sent: users {failed}")


def send_digest(user_id, day, deadline=None):
    """Claim and send one user's digest of `day`; False if another sender has it, the user has opted out since,
    or `day` is over where the user is (an event that came late, or was replayed)."""
    User = get_user_model()
    user = User.objects.filter(pk=user_id, is_active=True, digest_hour__isnull=False).first()
    if user is None or timezone.now().astimezone(zoneinfo.ZoneInfo(user.time_zone)).date() != day:
        return False
    claim = take_claim(user, day)
    if claim is None:
        return False
    todos = list(
        Todo.objects.filter(owner=user)
        .due_by(day)
        .select_related("todo_list")
        .order_by("due", "todo_list__name", "position")[: settings.DIGEST_MAX_TODOS + 1]
    )
    claimed = Digest.objects.filter(pk=claim.pk)
    if not todos:
        claimed.update(state=Digest.State.NOTHING_DUE)
        return False
    try:
        mail.send_now(digest_message(user, day, todos), deadline)
    except mail.NoSendingSlot:
        # Not an attempt: handed on with the rest of the batch.
        claimed.update(state=Digest.State.FAILED, attempts=F("attempts") - 1)
        raise
    except Exception as error:
        # Refused, or never sent: the retry may send it. No answer (a timeout): it may have gone; not again.
        claimed.update(state=Digest.State.FAILED if mail.surely_not_sent(error) else Digest.State.UNKNOWN)
        raise
    claimed.update(state=Digest.State.SENT, sent_at=timezone.now(), todos=min(len(todos), settings.DIGEST_MAX_TODOS))
    return True


def take_claim(user, day):
    """The user's Digest of `day` for this sender: a new one, or one a failed send released (up to
    settings.DIGEST_ATTEMPTS attempts in all); None if another sender has it or it is done."""
    try:
        with transaction.atomic():
            return Digest.objects.create(user=user, day=day)
    except IntegrityError:
        released = Digest.objects.filter(
            user=user, day=day, state=Digest.State.FAILED, attempts__lt=settings.DIGEST_ATTEMPTS
        )
        if released.update(state=Digest.State.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()):
            return Digest.objects.get(user=user, day=day)
    return None


def digest_message(user, day, todos):
    """The digest e-mail of `todos` (settings.DIGEST_MAX_TODOS of them, one more if there are more)."""
    limit = settings.DIGEST_MAX_TODOS
    unsubscribe = mail.site_url("digest_unsubscribe", mail.unsubscribe_token(user))
    with translation.override(user.language):
        context = {
            "todos": todos[:limit],
            "more": len(todos) > limit,
            "count": len(todos[:limit]),
            "today": day,
            "today_url": mail.site_url("today"),
            "settings_url": mail.site_url("account_settings"),
            "unsubscribe_url": unsubscribe,
        }
        subject = render_to_string("todos/digest_subject.txt", context).strip()
        body = render_to_string("todos/digest_email.txt", context)
    return EmailMessage(
        subject,
        body,
        to=[user.email],
        headers={
            # RFC 8058: a mail client's "unsubscribe" posts List-Unsubscribe=One-Click to this address.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def forget(days=30):
    """Delete the claims of digests older than `days` (the daily clean-up): the newest decides who is due."""
    return Digest.objects.filter(day__lt=timezone.now().date() - timedelta(days=days)).delete()[0]
