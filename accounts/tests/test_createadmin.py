import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
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


def test_refuses_an_address_that_already_has_an_account(user):
    with pytest.raises(CommandError, match="already exists"):
        createadmin("ANN@example.com", SITE)
    assert not User.objects.filter(is_superuser=True).exists()


def test_refuses_an_invalid_address():
    with pytest.raises(CommandError, match="valid email"):
        createadmin("not-an-address", SITE)
    assert not User.objects.exists()
