import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser(email="root@example.com", password="x"))
    return client


def test_user_list_searches_by_email(admin_client, user, other_user):
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "ann@"})
    assert list(response.context["cl"].result_list) == [user]


def test_user_list_filters_on_staff(admin_client, user):
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"is_staff__exact": "1"})
    assert [u.email for u in response.context["cl"].result_list] == ["root@example.com"]


def test_admin_adds_a_user_by_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.com",
            "usable_password": "true",
            "password1": "a-Long-Pass-99",
            "password2": "a-Long-Pass-99",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").check_password("a-Long-Pass-99")


def test_admin_refuses_a_duplicate_email_in_another_case(admin_client, user):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "ANN@example.com",
            "usable_password": "true",
            "password1": "a-Long-Pass-99",
            "password2": "a-Long-Pass-99",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("email", "duplicate_email")
    assert User.objects.count() == 2


def test_user_change_page_renders(admin_client, user):
    assert admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).status_code == 200
