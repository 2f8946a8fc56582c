import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_email_identifies_the_user(user):
    assert User.USERNAME_FIELD == "email"
    assert str(user) == "ann@example.com"


def test_database_refuses_the_same_email_in_another_case(user):
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="Ann@Example.com", password="x")


def test_model_validation_reports_the_same_email_in_another_case(user):
    with pytest.raises(ValidationError, match="already exists"):
        User(email="ANN@example.com", password="x").full_clean()


def test_the_address_key_follows_a_changed_address(user):
    user.email = "Ann.Other@example.com"
    user.save(update_fields=["email"])
    user.refresh_from_db()
    assert user.email_key == "ann.other@example.com"


def test_an_address_whose_key_would_be_too_long_is_refused(db):
    # U+FDFA is one character that NFKC writes as 18.
    with pytest.raises(ValidationError, match="too long"):
        User(email=f"{'\ufdfa' * 14}@example.com", password="x").full_clean()


def test_email_domain_is_normalised(db):
    assert User.objects.create_user(email="ann@EXAMPLE.com").email == "ann@example.com"


def test_login_ignores_letter_case_of_the_email(user, password):
    assert authenticate(username="ANN@example.COM", password=password) == user


def test_create_user_requires_an_email(db):
    with pytest.raises(ValueError, match="e-mail"):
        User.objects.create_user(email="")


def test_create_superuser_sets_staff_flags(db):
    admin = User.objects.create_superuser(email="root@example.com", password="x")
    assert admin.is_staff
    assert admin.is_superuser
