"""The daily digest: one e-mail a day at the user's hour, whatever is delivered twice, retried or overlaps."""

import threading
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.urls import reverse, set_script_prefix
from moto import mock_aws

from accounts.models import email_key
from todo_site import tasks
from todo_site.tests.concurrency import run_together
from todos import digest
from todos.models import Digest, Todo, TodoList

User = get_user_model()
NOW = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
SCHEDULED_EVENT = {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}


def subscriber(email, *, hour=7, time_zone="UTC", language="en", due=date(2026, 12, 3), title="Pay the rent"):
    user = User.objects.create_user(email=email, password=None, digest_hour=hour, time_zone=time_zone)
    User.objects.filter(pk=user.pk).update(language=language)
    if due is not None:
        Todo.objects.add(todo_list=TodoList.objects.default_for(user), title=title, due=due)
    return user


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def at_seven(monkeypatch):
    """The scheduled function's clock: 07:00 UTC on 3 December 2026."""
    monkeypatch.setattr(digest.timezone, "now", lambda: NOW)


@pytest.mark.django_db
def test_the_users_whose_hour_has_come_get_their_todos_due_today_and_overdue(at_seven):
    ann = subscriber("ann@example.com", title="Pay the rent")
    Todo.objects.add(todo_list=TodoList.objects.default_for(ann), title="File the taxes", due=date(2026, 11, 30))
    Todo.objects.add(todo_list=TodoList.objects.default_for(ann), title="Next week", due=date(2026, 12, 10))
    subscriber("later@example.com", hour=8)
    assert tasks.daily_digests(SCHEDULED_EVENT, None) == {"digests": 1}
    (message,) = mail.outbox
    assert message.to == ["ann@example.com"]
    assert message.subject == "2 todos due today or overdue"
    assert "- File the taxes (Todos, 3 days overdue)" in message.body
    assert "- Pay the rent (Todos, today)" in message.body
    assert "Next week" not in message.body
    assert f"http://testserver{reverse('today')}" in message.body


@pytest.mark.django_db
def test_a_scheduled_event_delivered_twice_sends_one_digest_per_user(at_seven):
    for name in ("ann", "bob", "cy"):
        subscriber(f"{name}@example.com")
    tasks.daily_digests(SCHEDULED_EVENT, None)
    assert tasks.daily_digests(SCHEDULED_EVENT, None) == {"digests": 0}
    assert recipients() == ["ann@example.com", "bob@example.com", "cy@example.com"]


@pytest.mark.django_db
def test_a_batch_delivered_twice_sends_once(at_seven):
    """Lambda may run an asynchronous invocation twice: the claims let each digest out once."""
    ann = subscriber("ann@example.com")
    batch = [[ann.pk, "2026-12-03"]]
    digest.send_digests(batch)
    digest.send_digests(batch)
    assert recipients() == ["ann@example.com"]
    assert Digest.objects.get(user=ann).todos == 1


@pytest.mark.django_db
def test_a_user_with_nothing_due_gets_no_digest_that_day(at_seven):
    quiet = subscriber("quiet@example.com", due=date(2026, 12, 4))
    done = subscriber("done@example.com")
    Todo.objects.filter(owner=done).update(completed=True)
    subscriber("none@example.com", due=None)
    tasks.daily_digests(SCHEDULED_EVENT, None)
    assert mail.outbox == []
    # Their day is done: a todo due today added later brings no digest before tomorrow.
    Todo.objects.add(todo_list=TodoList.objects.default_for(quiet), title="Now due", due=date(2026, 12, 3))
    assert tasks.daily_digests(SCHEDULED_EVENT, None) == {"digests": 0}
    assert mail.outbox == []


@pytest.mark.django_db
def test_users_without_a_digest_hour_or_inactive_get_none(at_seven):
    subscriber("off@example.com", hour=None)
    gone = subscriber("gone@example.com")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    assert tasks.daily_digests(SCHEDULED_EVENT, None) == {"digests": 0}
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_user_who_opts_out_after_the_dispatch_gets_none(at_seven):
    ann = subscriber("ann@example.com")
    User.objects.filter(pk=ann.pk).update(digest_hour=None)
    digest.send_digests([[ann.pk, "2026-12-03"]])
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_digest_is_in_the_users_language(at_seven):
    subscriber("li@example.com", language="zh-hans", title="交房租")
    tasks.daily_digests(SCHEDULED_EVENT, None)
    (message,) = mail.outbox
    assert message.subject == "1 项待办事项今天到期或已逾期"
    assert "交房租" in message.body
    assert "今天" in message.body


@pytest.mark.django_db
def test_the_digest_carries_a_one_click_unsubscribe(at_seven, client):
    ann = subscriber("ann@example.com")
    tasks.daily_digests(SCHEDULED_EVENT, None)
    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body
    response = client.post(
        link.removeprefix("http://testserver"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    ann.refresh_from_db()
    assert ann.digest_hour is None


@pytest.mark.django_db
def test_a_long_digest_lists_the_first_ones_and_says_there_are_more(at_seven, settings):
    settings.DIGEST_MAX_TODOS = 3
    ann = subscriber("ann@example.com", title="todo 0")
    for number in range(1, 5):
        Todo.objects.add(todo_list=TodoList.objects.default_for(ann), title=f"todo {number}", due=date(2026, 12, 3))
    tasks.daily_digests(SCHEDULED_EVENT, None)
    (message,) = mail.outbox
    assert message.subject == "3 todos due today or overdue+"
    assert [line for line in message.body.splitlines() if line.startswith("- ")] == [
        "- todo 0 (Todos, today)",
        "- todo 1 (Todos, today)",
        "- todo 2 (Todos, today)",
        "- …",
    ]


@pytest.fixture
def ses(monkeypatch, settings):
    """SES's API as moto serves it, behind django-ses, the production mailer."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    settings.MAILERS = {"default": {"BACKEND": "django_ses.SESBackend"}}
    settings.DEFAULT_FROM_EMAIL = "todo@example.com"
    with mock_aws():
        yield boto3.client("ses", region_name="us-east-1")


def sent_by_ses():
    """The messages moto's SES accepted (its documented way to read them)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


@pytest.mark.django_db
def test_a_send_that_fails_once_is_retried_and_sends_exactly_one(ses, at_seven):
    """SES refuses the first send (the sender is not verified yet): the batch raises for Lambda to retry, the
    claim is released, and the retry sends one digest."""
    ann = subscriber("ann@example.com")
    batch = [[ann.pk, "2026-12-03"]]
    with pytest.raises(digest.DigestsNotSent):
        digest.send_digests(batch)
    assert sent_by_ses() == []
    assert Digest.objects.get(user=ann).state == Digest.State.FAILED
    ses.verify_domain_identity(Domain="example.com")
    digest.send_digests(batch)
    digest.send_digests(batch)
    (message,) = sent_by_ses()
    assert message.source == "todo@example.com"
    assert "ann@example.com" in message.destinations
    claim = Digest.objects.get(user=ann)
    assert (claim.state, claim.attempts, claim.todos) == (Digest.State.SENT, 2, 1)


@pytest.mark.django_db
def test_one_failed_send_does_not_hold_back_the_rest_of_the_batch(monkeypatch, at_seven):
    ann, bob = subscriber("ann@example.com"), subscriber("bob@example.com")
    real = digest.mail.send_now

    def refuse_ann(message, deadline=None):
        if message.to == ["ann@example.com"]:
            raise ConnectionError("the mail service did not answer")
        return real(message, deadline)

    monkeypatch.setattr(digest.mail, "send_now", refuse_ann)
    with pytest.raises(digest.DigestsNotSent, match="1 of 2"):
        digest.send_digests([[ann.pk, "2026-12-03"], [bob.pk, "2026-12-03"]])
    assert recipients() == ["bob@example.com"]
    assert dict(Digest.objects.values_list("user", "state")) == {
        ann.pk: Digest.State.UNKNOWN,
        bob.pk: Digest.State.SENT,
    }


@pytest.mark.django_db
def test_a_batch_out_of_time_hands_the_rest_on(monkeypatch, settings, at_seven):
    settings.DIGEST_WORKER_SECONDS = 0
    handed_on = []
    users = [subscriber(f"user{number}@example.com") for number in range(3)]
    batch = [[user.pk, "2026-12-03"] for user in users]
    real = digest.send_digests
    monkeypatch.setattr(digest, "send_digests", lambda rest: handed_on.append(rest))
    real(batch)
    assert handed_on == [batch]
    assert (mail.outbox, Digest.objects.count()) == ([], 0)


@pytest.mark.django_db
def test_a_send_with_no_answer_is_never_repeated(monkeypatch, at_seven):
    """A timeout: the mail service may have taken the message, so neither a retry nor a later run sends it."""
    ann = subscriber("ann@example.com")

    def no_answer(message, deadline=None):
        raise ReadTimeoutError(endpoint_url="https://email.us-east-1.amazonaws.com")

    monkeypatch.setattr(digest.mail, "send_now", no_answer)
    with pytest.raises(digest.DigestsNotSent):
        tasks.daily_digests(SCHEDULED_EVENT, None)
    monkeypatch.undo()
    monkeypatch.setattr(digest.timezone, "now", lambda: NOW)
    digest.send_digests([[ann.pk, "2026-12-03"]])
    assert tasks.daily_digests(SCHEDULED_EVENT, None) == {"digests": 0}
    assert mail.outbox == []
    assert Digest.objects.get(user=ann).state == Digest.State.UNKNOWN


@pytest.mark.django_db
def test_an_address_the_mail_service_keeps_refusing_is_given_up_after_the_attempts(ses, at_seven, settings):
    """Lambda's retries and the next runs share DIGEST_ATTEMPTS: then the user is not due again that day."""
    ann = subscriber("ann@example.com")
    for _ in range(settings.DIGEST_ATTEMPTS):
        with pytest.raises(digest.DigestsNotSent):
            tasks.daily_digests(SCHEDULED_EVENT, None)
    assert tasks.daily_digests(SCHEDULED_EVENT, None) == {"digests": 0}
    digest.send_digests([[ann.pk, "2026-12-03"]])
    claim = Digest.objects.get(user=ann)
    assert (claim.state, claim.attempts) == (Digest.State.FAILED, settings.DIGEST_ATTEMPTS)
    assert sent_by_ses() == []


@pytest.mark.django_db
def test_an_event_that_arrives_after_the_users_day_sends_nothing(at_seven):
    """A retry hours late, or a batch replayed from the dead-letter queue: yesterday's digest is not sent today."""
    ann = subscriber("ann@example.com", due=date(2026, 12, 2))
    digest.send_digests([[ann.pk, "2026-12-02"]])
    assert (mail.outbox, Digest.objects.count()) == ([], 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes one writer at a time.")
def test_two_overlapping_runs_send_one_digest_per_user(monkeypatch, at_seven):
    """Both runs find the same users before either sends, then send at once on their own connections."""
    for number in range(20):
        subscriber(f"user{number}@example.com")
    found = threading.Barrier(2)
    real = digest.due_recipients

    def due_recipients(now=None):
        due = real(now)
        found.wait()
        return due

    monkeypatch.setattr(digest, "due_recipients", due_recipients)
    assert run_together([digest.dispatch, digest.dispatch], threads=2) == [20, 20]
    assert recipients() == sorted(f"user{number}@example.com" for number in range(20))


# 24 zones, three of them off the hour (India, Nepal, the Chatham Islands), from UTC-11 to UTC+13:45.
ZONES = [
    "Pacific/Pago_Pago",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Atlantic/South_Georgia",
    "Atlantic/Azores",
    "UTC",
    "Europe/Paris",
    "Africa/Cairo",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Noumea",
    "Pacific/Auckland",
    "Pacific/Chatham",
]


@pytest.mark.django_db
def test_a_thousand_users_in_24_time_zones_each_get_one_digest_at_their_hour_over_a_day(monkeypatch, settings):
    """The scheduled function runs every quarter of an hour for a day: each user gets one digest a day, in the
    first run that falls in their hour. Before it, every user whose hour had passed had their digest of that day."""
    # The simulated day passes in seconds: the mail service's rate is not what this test is about.
    settings.EMAIL_SEND_RATE = 100_000
    start = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    users = User.objects.bulk_create(
        User(
            email=f"user{number}@example.com",
            email_key=email_key(f"user{number}@example.com"),
            time_zone=ZONES[number % 24],
            digest_hour=(number // 24) % 24,
        )
        for number in range(1000)
    )
    lists = TodoList.objects.bulk_create(TodoList(owner=user, name="Todos", is_default=True) for user in users)
    Todo.objects.bulk_create(
        Todo(owner=user, todo_list=todo_list, title="Overdue for ever", due=date(2026, 1, 1), position=0)
        for user, todo_list in zip(users, lists, strict=True)
    )
    local = {user.pk: start.astimezone(zoneinfo.ZoneInfo(user.time_zone)) for user in users}
    Digest.objects.bulk_create(
        Digest(user=user, day=local[user.pk].date(), todos=1)
        for user in users
        if local[user.pk].hour > user.digest_hour
    )
    runs = [start + timedelta(minutes=15 * quarter) for quarter in range(24 * 4)]
    sent = {user.email: [] for user in users}
    for now in runs:
        monkeypatch.setattr(digest.timezone, "now", lambda now=now: now)
        mail.outbox.clear()
        tasks.daily_digests(SCHEDULED_EVENT, None)
        for message in mail.outbox:
            (address,) = message.to
            sent[address].append(now)
    for user in users:
        zone = zoneinfo.ZoneInfo(user.time_zone)
        # The local days whose digest hour one of the runs falls in (two for a zone whose quarter-hours start
        # the window in the hour: Nepal's 05:45 and, a day later, its 05:00).
        days = sorted({now.astimezone(zone).date() for now in runs if now.astimezone(zone).hour == user.digest_hour})
        times = [now.astimezone(zone) for now in sent[user.email]]
        assert [when.date() for when in times] == days, (user.email, user.time_zone, times)
        assert {when.hour for when in times} == {user.digest_hour}


@pytest.mark.django_db
def test_the_unsubscribe_address_reaches_the_mail_service_as_one_url(ses, at_seven, settings):
    """However long, the List-Unsubscribe header is the URL in angle brackets, not folded into encoded words."""
    settings.SITE_URL = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/production/"
    ses.verify_domain_identity(Domain="example.com")
    ann = subscriber("ann@example.com")
    tasks.daily_digests(SCHEDULED_EVENT, None)
    (message,) = sent_by_ses()
    headers = message.raw_data.split("\r\n\r\n", 1)[0].split("\r\n")
    (unsubscribe,) = [line for line in headers if line.startswith("List-Unsubscribe: ")]
    # The token is signed with the time it was made: read it back rather than make another.
    prefix = settings.SITE_URL.rstrip("/") + reverse("digest_unsubscribe", args=["TOKEN"]).split("TOKEN")[0]
    assert unsubscribe.startswith(f"List-Unsubscribe: <{prefix}")
    assert unsubscribe.endswith("/>")
    token = unsubscribe.removeprefix(f"List-Unsubscribe: <{prefix}").removesuffix("/>")
    assert digest.mail.unsubscriber(token) == ann
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in headers


@pytest.mark.django_db
def test_the_links_ignore_the_script_prefix_a_request_left_behind(at_seven, settings):
    """On Lambda one instance answers requests (which set the stage as the script prefix) and runs tasks."""
    settings.SITE_URL = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/production/"
    subscriber("ann@example.com")
    set_script_prefix("/production/")
    try:
        tasks.daily_digests(SCHEDULED_EVENT, None)
    finally:
        set_script_prefix("/")
    (message,) = mail.outbox
    assert "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/production/today/" in message.body
    assert "/production/production/" not in message.body + message.extra_headers["List-Unsubscribe"]


@pytest.mark.django_db
def test_more_users_due_than_the_batches_hold_wait_for_the_next_run(at_seven, settings):
    settings.DIGEST_WORKERS, settings.DIGEST_BATCH_SIZE = 2, 2
    for number in range(5):
        subscriber(f"user{number}@example.com")
    assert tasks.daily_digests(SCHEDULED_EVENT, None) == {"digests": 4}
    assert tasks.daily_digests(SCHEDULED_EVENT, None) == {"digests": 1}
    assert len(recipients()) == 5


@pytest.mark.django_db
def test_staff_see_the_digests_in_the_admin_and_cannot_forge_one(admin_client, at_seven):
    subscriber("ann@example.com")
    tasks.daily_digests(SCHEDULED_EVENT, None)
    page = admin_client.get(reverse("admin:todos_digest_changelist"), {"q": "ANN@"})
    assert page.status_code == 200
    assert "ann@example.com" in page.content.decode()
    assert admin_client.get(reverse("admin:todos_digest_add")).status_code == 403
