"""E-mail leaves through an asynchronous task, within the mail service's rate; digests are chosen and stopped
on the account's own pages."""

import threading
import time

import pytest
from django.core import mail as outbox
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts import mail, notices
from accounts.models import SendingSecond, User
from local_aws.aws_emulator import local_client
from local_aws.lambda_api import LambdaApi

pytestmark = pytest.mark.django_db


def unsubscribe_url(user):
    return reverse("digest_unsubscribe", args=[mail.unsubscribe_token(user)])


def test_the_settings_page_sets_and_clears_the_digest_hour(user_client, user):
    page = user_client.get(reverse("account_settings")).content.decode()
    assert 'name="digest_hour"' in page
    assert '<option value="7">07:00</option>' in page
    response = user_client.post(reverse("account_settings"), {"time_zone": "Asia/Shanghai", "digest_hour": "7"})
    assert response.url == reverse("account_settings")
    user.refresh_from_db()
    assert (user.time_zone, user.digest_hour) == ("Asia/Shanghai", 7)
    user_client.post(reverse("account_settings"), {"time_zone": "Asia/Shanghai", "digest_hour": ""})
    user.refresh_from_db()
    assert user.digest_hour is None


@pytest.mark.parametrize("hour", ["24", "-1", "seven", "7.5"])
def test_an_hour_outside_the_day_is_a_form_error(user_client, user, hour):
    response = user_client.post(reverse("account_settings"), {"time_zone": "UTC", "digest_hour": hour})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    user.refresh_from_db()
    assert user.digest_hour is None


@pytest.fixture
def subscribed(user, other_user):
    """Both users get a digest at 08:00."""
    for person in (user, other_user):
        person.digest_hour = 8
        person.save()


def test_one_click_unsubscribe_works_without_a_session(client, user, subscribed):
    """RFC 8058: the mail client posts List-Unsubscribe=One-Click, with no cookie and no CSRF token."""
    client.handler.enforce_csrf_checks = True
    response = client.post(
        unsubscribe_url(user), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "No more daily digests will be sent to ann@example.com." in response.content.decode()
    user.refresh_from_db()
    assert user.digest_hour is None


def test_opening_the_unsubscribe_link_only_asks(client, user, subscribed):
    response = client.get(unsubscribe_url(user))
    assert response.status_code == 200
    assert f'action="{unsubscribe_url(user)}"' in response.content.decode()
    user.refresh_from_db()
    assert user.digest_hour == 8


def altered(token):
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        "MQ:1vQxyz:abcdefghijklmnopqrstuvwxyz0123456789ABCDE",
        pytest.param(None, id="altered"),
    ],
)
def test_a_forged_or_altered_token_does_nothing(client, user, other_user, subscribed, token):
    token = token or altered(mail.unsubscribe_token(user))
    for method in (client.get, client.post):
        assert method(reverse("digest_unsubscribe", args=[token])).status_code == 404
    user.refresh_from_db()
    other_user.refresh_from_db()
    assert (user.digest_hour, other_user.digest_hour) == (8, 8)


def test_a_token_turns_off_its_own_accounts_digest_only(client, user, other_user, subscribed):
    client.post(unsubscribe_url(other_user))
    user.refresh_from_db()
    assert user.digest_hour == 8


def test_the_language_chosen_on_the_site_is_the_language_of_its_e_mails(user_client, user):
    assert user.language == "en"
    user_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_signing_up_keeps_the_language_of_the_page(client, password):
    client.post(
        reverse("signup"),
        {"email": "new@example.com", "password1": password, "password2": password},
        HTTP_ACCEPT_LANGUAGE="zh-Hans",
    )
    assert User.objects.get(email="new@example.com").language == "zh-hans"


def test_the_lock_notice_is_in_the_owners_language(user):
    """Not in the language of whoever set the lock off."""
    user.language = "zh-hans"
    user.save()
    with translation.override("en"):
        notices.send_lock_notice(user.email_key)
    (message,) = outbox.outbox
    assert message.to == [user.email]
    with translation.override("zh-hans"):
        assert message.subject == render_to_string("accounts/lock_notice_subject.txt").strip()
    assert not message.subject.isascii()


def test_every_e_mail_keeps_within_the_sending_rate(settings):
    """Seven e-mails at three a second go out in three seconds, never more than three in one."""
    settings.EMAIL_SEND_RATE = 3
    started = time.time()
    for number in range(7):
        mail.send(EmailMessage(f"number {number}", "body", to=["ann@example.com"]))
    assert len(outbox.outbox) == 7
    counts = list(SendingSecond.objects.filter(second__gte=int(started)).values_list("sent", flat=True))
    assert (max(counts), sum(counts)) == (3, 7)
    assert len(counts) >= 3


def test_no_slot_before_the_deadline_is_an_error(settings):
    settings.EMAIL_SEND_RATE = 1
    mail.take_slot()
    with pytest.raises(mail.NoSendingSlot):
        mail.take_slot(deadline=time.monotonic())


def test_the_clean_up_forgets_past_seconds():
    SendingSecond.objects.create(second=int(time.time()) - 3600, sent=14)
    current = SendingSecond.objects.create(second=int(time.time()), sent=1)
    assert mail.forget_slots() == 1
    assert list(SendingSecond.objects.all()) == [current]


@pytest.fixture
def lambda_api(monkeypatch):
    """This process as a Lambda function whose asynchronous invocations queue at the local Lambda API, where
    Zappa's task decorator sends them (its boto3 client pointed there), and wait to be run by the test."""
    import zappa.asynchronous

    api = LambdaApi(pool=None, function_name="example-function", workers=0)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "example-function")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setattr(zappa.asynchronous, "LAMBDA_CLIENT", local_client("lambda", api.url), raising=False)
    yield api
    api.shutdown()
    api.server_close()


def test_a_password_reset_answers_before_its_e_mail_is_sent_and_then_it_arrives(client, user, lambda_api):
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.url == reverse("password_reset_done")
    assert outbox.outbox == []
    (event,) = lambda_api.queued()
    assert (event["command"], event["task_path"]) == ("zappa.asynchronous.route_lambda_task", "accounts.mail.deliver")
    # What Zappa's handler does with the event on the instance Lambda runs it on.
    from zappa.asynchronous import route_lambda_task

    route_lambda_task(event, None)
    (message,) = outbox.outbox
    assert message.to == [user.email]
    assert "/accounts/password/reset/" in message.body


def test_a_task_that_cannot_be_started_is_logged_and_the_page_answers_the_same(client, user, lambda_api, caplog):
    """Lambda's API unreachable: the reset page is the one every address gets, and the log says what was lost."""
    lambda_api.shutdown()
    lambda_api.server_close()
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.url == reverse("password_reset_done")
    assert "E-mail not sent: 'Reset your todo password' to ['ann@example.com']" in caplog.text
