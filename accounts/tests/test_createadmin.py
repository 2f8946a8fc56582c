import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command, load_command_class
from django.urls import reverse

pytestmark = pytest.mark.django_db
User = get_user_model()
SITE = "https://abc123defg.execute-api.us-east-1.amazonaws.com/production"
NEW_PASSWORD = "a-Chosen-admin-Pass-7"


def createadmin(*args):
    out = StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def test_creates_a_superuser_who_has_no_password_yet():
    createadmin("Root@Example.com", SITE)
    admin = User.objects.get()
    assert admin.email == "Root@example.com"
    assert admin.is_superuser
    assert admin.is_staff
    assert not admin.has_usable_password()


def test_prints_a_link_on_the_site_where_the_admin_chooses_a_password(client):
    output = createadmin("root@example.com", f"{SITE}/")
    link = re.search(rf"^{re.escape(SITE)}(/\S+)$", output, re.MULTILINE).group(1)

    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.url == reverse("password_reset_complete")
    assert User.objects.get().check_password(NEW_PASSWORD)
    assert client.get(link, follow=True).context["validlink"] is False


def link_in(output):
    return re.search(rf"^{re.escape(SITE)}(/\S+)$", output, re.MULTILINE).group(1)


def choose_password(client, link):
    """Open the link and choose a password; True when the link still worked."""
    final = client.get(link, follow=True)
    if not final.context["validlink"]:
        return False
    response = client.post(final.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    return response.url == reverse("password_reset_complete")


def test_rerunning_it_for_an_administrator_without_a_password_issues_a_new_link(client):
    first = link_in(createadmin("root@example.com", SITE))
    output = createadmin("ROOT@example.com", SITE)
    assert "the previous one no longer works" in output
    second = link_in(output)

    assert choose_password(client, first) is False
    assert choose_password(client, second) is True
    assert User.objects.get().check_password(NEW_PASSWORD)


def test_an_administrator_who_has_chosen_a_password_gets_no_new_link(client):
    choose_password(client, link_in(createadmin("root@example.com", SITE)))
    with pytest.raises(CommandError, match="use the password reset page"):
        createadmin("root@example.com", SITE)
    assert User.objects.get().check_password(NEW_PASSWORD)


def test_with_email_the_link_goes_to_the_administrator_and_not_to_the_output(client):
    output = createadmin("root@example.com", SITE, "--email")
    assert SITE not in output
    assert "sent to them" in output
    (message,) = mail.outbox
    assert message.to == ["root@example.com"]
    link = re.search(rf"{re.escape(SITE)}(/\S+)", message.body).group(1)
    assert choose_password(client, link) is True


def test_the_help_says_where_the_link_appears_and_for_how_long():
    help_text = load_command_class("accounts", "createadmin").help
    assert "CloudWatch log" in help_text
    assert "PASSWORD_RESET_TIMEOUT" in help_text
    assert "--email" in help_text


def test_refuses_an_address_that_already_has_an_account(user):
    with pytest.raises(CommandError, match="already exists"):
        createadmin("ANN@example.com", SITE)
    assert not User.objects.filter(is_superuser=True).exists()


def test_refuses_a_staff_member_who_has_a_password(django_user_model):
    django_user_model.objects.create_user(email="staff@example.com", password="x", is_staff=True)
    with pytest.raises(CommandError, match="already exists"):
        createadmin("staff@example.com", SITE)


def test_refuses_an_invalid_address():
    with pytest.raises(CommandError, match="valid email"):
        createadmin("not-an-address", SITE)
    assert not User.objects.exists()
