"""Production settings start only when their required environment is present."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

REALISTIC_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "todo_site.settings.production",
    "SECRET_KEY": "q9Zr2-w8Xv0pL3mN7bT4yK1uJ6hG5fD0sA8eR2tY7iO9pQ3zX6cV1bN4mL7kJ0h",
    "ALLOWED_HOSTS": "abc123.execute-api.us-east-1.amazonaws.com",
    "DATABASE_URL": "postgres://todo:secret@todo.cluster.us-east-1.rds.amazonaws.com:5432/todo",
    "EMAIL_URL": "smtp+tls://AKIAEXAMPLE:secret@email-smtp.us-east-1.amazonaws.com:587",
    "AWS_STORAGE_BUCKET_NAME": "todo-site-static",
}


def manage(*args, **environment):
    env = {key: value for key, value in os.environ.items() if key not in REALISTIC_ENVIRONMENT}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_URL", "AWS_STORAGE_BUCKET_NAME"]
)
def test_a_missing_required_variable_stops_start_up_naming_it(missing):
    environment = {key: value for key, value in REALISTIC_ENVIRONMENT.items() if key != missing}
    result = manage("check", **environment)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_an_empty_required_variable_counts_as_missing():
    result = manage("check", **{**REALISTIC_ENVIRONMENT, "ALLOWED_HOSTS": " "})
    assert result.returncode != 0
    assert "Set the ALLOWED_HOSTS environment variable" in result.stderr


def test_deploy_checks_pass_with_realistic_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **REALISTIC_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_local_defaults_need_no_environment():
    result = manage("diffsettings", "--output", "unified", DJANGO_SETTINGS_MODULE="todo_site.settings.base")
    assert result.returncode == 0, result.stderr
    assert "+ DEBUG = True" in result.stdout
    assert "django.db.backends.sqlite3" in result.stdout
    assert "django.core.mail.backends.console.EmailBackend" in result.stdout
