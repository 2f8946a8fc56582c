"""deploy/set_secrets.py: the secrets it takes, and what it refuses."""

import pytest

from deploy import set_secrets


def test_secrets_come_as_name_value_lines():
    lines = ["# production", "", "SECRET_KEY = abc=def", "DATABASE_URL=postgres://u:p@h/d"]
    assert set_secrets.parse(lines) == {"SECRET_KEY": "abc=def", "DATABASE_URL": "postgres://u:p@h/d"}
    with pytest.raises(set_secrets.SecretsError, match="line 1: expected NAME=value"):
        set_secrets.parse(["SECRET_KEY abc"])


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        ({"ALLOWED_HOSTS": "x"}, "ALLOWED_HOSTS: set in zappa_settings.json"),
        ({"SECRET_KEY": ""}, "SECRET_KEY: empty"),
        ({"DATABASE_URL": "postgres://todo:pw@proxy/todo"}, "DATABASE_URL: the function holds no database password"),
        ({"DB_PASSWORD": "pw", "PGPASSWORD": "pw"}, "DB_PASSWORD, PGPASSWORD: the function holds no database password"),
    ],
)
def test_secrets_that_would_be_lost_or_empty_are_refused(dev, secrets, message):
    with pytest.raises(set_secrets.SecretsError, match=message):
        set_secrets.check(dev, secrets)
