"""Whatever is posted to the account forms, the answer is never a server error and no account breaks."""

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import event, example, given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from todo_site.tests.fuzzing import as_text, assert_every_user_is_valid, field, form, post

User = get_user_model()
PASSWORD = "correct horse battery staple"
NEW = b"an-Entirely-new-Secret-42"
STRONG_PASSWORDS = st.text(min_size=10, max_size=40)
EMAILS = st.sampled_from(["ann@example.com", " ANN@Example.COM ", "new@example.com", "New@EXAMPLE.org"])


@st.composite
def new_passwords(draw, names=("new_password1", "new_password2")):
    """Two new-password fields that often match."""
    first = draw(field(STRONG_PASSWORDS))
    second = draw(st.one_of(st.just(first), field()))
    return dict(zip((name.encode() for name in names), (first, second), strict=True))


class AccountFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = User.objects.create_user(email="ann@example.com", password=PASSWORD)

    def assert_password(self, password):
        assert User.objects.get(pk=self.user.pk).check_password(password)

    @given(fields=form(email=field(EMAILS, st.emails())), passwords=new_passwords(names=("password1", "password2")))
    @example(fields={b"email": b" New@EXAMPLE.org "}, passwords={b"password1": NEW, b"password2": NEW})
    def test_signup(self, fields, passwords):
        fields |= passwords
        response = post(self.client, reverse("signup"), fields)
        assert_every_user_is_valid()
        event(f"answered {response.status_code}")
        if response.status_code == 302:
            new = User.objects.exclude(pk=self.user.pk).get()
            assert new.email == User.objects.normalize_email(as_text(fields[b"email"]).strip())
            assert new.check_password(as_text(fields[b"password1"]))
        else:
            assert response.status_code in (200, 400)
            assert User.objects.count() == 1

    @given(fields=form(username=field(EMAILS), password=field(st.just(PASSWORD))))
    @example(fields={b"username": b" ANN@Example.COM ", b"password": PASSWORD.encode()})
    def test_login(self, fields):
        response = post(self.client, reverse("login"), fields)
        email = unicodedata.normalize("NFKC", as_text(fields[b"username"])).strip().lower()
        right = email == "ann@example.com" and as_text(fields[b"password"]) == PASSWORD
        event("logged in" if right else "refused")
        assert (response.status_code == 302) == right
        assert response.status_code in (200, 302, 400)

    @given(fields=form(password=field(st.just(PASSWORD))))
    @example(fields={b"password": PASSWORD.encode()})
    def test_account_delete(self, fields):
        self.client.force_login(self.user)
        response = post(self.client, reverse("account_delete"), fields)
        deleted = not User.objects.filter(pk=self.user.pk).exists()
        event("deleted" if deleted else "kept")
        assert deleted == (response.status_code == 302)
        assert deleted == (as_text(fields[b"password"]) == PASSWORD)

    @given(fields=form(old_password=field(st.just(PASSWORD))), passwords=new_passwords())
    @example(fields={b"old_password": PASSWORD.encode()}, passwords={b"new_password1": NEW, b"new_password2": NEW})
    def test_password_change(self, fields, passwords):
        fields |= passwords
        self.client.force_login(self.user)
        response = post(self.client, reverse("password_change"), fields)
        event(f"answered {response.status_code}")
        assert_every_user_is_valid()
        if response.status_code == 302:
            assert as_text(fields[b"old_password"]) == PASSWORD
            self.assert_password(as_text(fields[b"new_password1"]))
        else:
            assert response.status_code in (200, 400)
            self.assert_password(PASSWORD)

    @given(fields=form(email=field(EMAILS)))
    @example(fields={b"email": b" ANN@Example.COM "})
    def test_password_reset(self, fields):
        response = post(self.client, reverse("password_reset"), fields)
        assert response.status_code in (200, 302, 400)
        for message in mail.outbox:
            assert message.to == ["ann@example.com"]
        event(f"{len(mail.outbox)} e-mail(s) sent")

    @given(passwords=new_passwords())
    @example(passwords={b"new_password1": NEW, b"new_password2": NEW})
    def test_password_reset_confirm(self, passwords):
        uid = urlsafe_base64_encode(force_bytes(self.user.pk))
        token = default_token_generator.make_token(self.user)
        form_url = self.client.get(reverse("password_reset_confirm", args=[uid, token])).url
        response = post(self.client, form_url, passwords)
        event(f"answered {response.status_code}")
        assert_every_user_is_valid()
        if response.status_code == 302:
            self.assert_password(as_text(passwords[b"new_password1"]))
        else:
            assert response.status_code in (200, 400)
            self.assert_password(PASSWORD)
