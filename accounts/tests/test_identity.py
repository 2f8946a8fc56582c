"""One account per e-mail address however it is spelled, and the same answer from every part of the site.

Spellings of alice@example.com that are the same address to a mail server (letter case, full-width
letters) are one account for sign-up, log-in, password reset, `createadmin` and the log-in throttle;
those that are other addresses (the dotless ı, the dotted İ) are other accounts everywhere. PostgreSQL's
case-insensitive comparison (UPPER()) would call alıce@ and alice@ the same: no lookup uses it.
"""

from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User, email_key

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
SITE = "https://abc123defg.execute-api.us-east-1.amazonaws.com/production"
SPELLINGS = {
    "ALICE@example.com": True,
    "Alice@example.com": True,
    "\uff41lice@example.com": True,  # full-width a
    "al\u0131ce@example.com": False,  # dotless ı
    "al\u0130ce@example.com": False,  # capital I with a dot
}
ids = ["upper", "capital", "fullwidth", "dotless-i", "dotted-capital-i"]
spellings = pytest.mark.parametrize(("spelling", "same"), SPELLINGS.items(), ids=ids)


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(email="alice@example.com", password=PASSWORD)


def post(client, name, fields, address="203.0.113.7"):
    response = client.post(reverse(name), fields, REMOTE_ADDR=address)
    assert response.status_code < 500
    return response


@spellings
def test_the_key_says_which_spellings_are_the_same_address(spelling, same):
    assert (email_key(spelling) == email_key("alice@example.com")) is same


@spellings
def test_sign_up_refuses_the_same_address_and_accepts_another(client, alice, spelling, same):
    response = post(client, "signup", {"email": spelling, "password1": PASSWORD, "password2": PASSWORD})
    if same:
        assert response.context["form"].has_error("email", "duplicate_email")
        assert User.objects.count() == 1
    else:
        assert response.status_code == 302
        assert User.objects.get(email_key=email_key(spelling)).email == User.objects.normalize_email(spelling)


@spellings
def test_log_in_finds_alice_under_her_spellings_only(client, alice, spelling, same):
    response = post(client, "login", {"username": spelling, "password": PASSWORD})
    assert (response.status_code == 302) is same
    if same:
        assert response.wsgi_request.user == alice


@pytest.mark.parametrize("spelling", [spelling for spelling, same in SPELLINGS.items() if not same])
def test_an_account_of_another_spelling_logs_in_as_itself(client, alice, django_user_model, spelling):
    other = django_user_model.objects.create_user(email=spelling, password="an-Other-pass-31")
    assert post(client, "login", {"username": spelling, "password": PASSWORD}).status_code == 200
    response = post(client, "login", {"username": spelling, "password": "an-Other-pass-31"})
    assert response.wsgi_request.user == other


@spellings
def test_createadmin_refuses_alices_address_and_creates_another(alice, spelling, same):
    if same:
        with pytest.raises(CommandError, match="already exists"):
            call_command("createadmin", spelling, SITE, stdout=StringIO())
        assert User.objects.count() == 1
    else:
        call_command("createadmin", spelling, SITE, stdout=StringIO())
        assert User.objects.get(email_key=email_key(spelling)).is_superuser
        assert not User.objects.get(pk=alice.pk).is_superuser


@spellings
def test_a_refused_address_stays_refused_under_alices_spellings_only(client, alice, spelling, same):
    for _ in range(settings.THROTTLES["login_account_address"]["limit"]):
        post(client, "login", {"username": "alice@example.com", "password": "not the password"})
    response = post(client, "login", {"username": spelling, "password": PASSWORD})
    errors = response.context["form"].non_field_errors().as_data() if response.status_code == 200 else []
    assert [error.code for error in errors] == (["login_account_address"] if same else ["invalid_login"])


@spellings
def test_a_password_reset_reaches_alice_under_her_spellings_only(client, alice, spelling, same):
    post(client, "password_reset", {"email": spelling})
    assert [message.to for message in mail.outbox] == ([["alice@example.com"]] if same else [])


def test_the_admin_finds_an_account_however_its_address_is_spelled(client, alice, django_user_model):
    client.force_login(django_user_model.objects.create_superuser(email="root@example.com", password="x"))
    django_user_model.objects.create_user(email="al\u0131ce@example.com")
    changelist = client.get(reverse("admin:accounts_user_changelist"), {"q": "\uff21LICE@"})
    assert list(changelist.context["cl"].result_list) == [alice]
