"""/healthz/ tells an uptime check whether the site can reach its database, cheaply."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_in_plain_text_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain"
    assert "no-store" in response["Cache-Control"]


def test_healthz_is_one_query_and_never_touches_the_session(client, user, django_assert_num_queries):
    client.force_login(user)
    with django_assert_num_queries(1) as captured:
        response = client.get(reverse("healthz"))
    assert captured.captured_queries[0]["sql"] == "SELECT 1"
    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_healthz_answers_head_and_refuses_post(client):
    assert client.head(reverse("healthz")).status_code == 200
    assert client.post(reverse("healthz")).status_code == 405
