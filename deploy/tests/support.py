"""Helpers of the Lambda tests: production's settings for a stage, a stage's scheduled event, `make lambda-local`."""

import json
import os
import subprocess
import sys

from zappa.core import Zappa

from deploy.stage import BASE_DIR, local_secrets

# Names of the request-facing production settings that the in-process handler tests apply.
REQUEST_SETTINGS = [
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
]


def production_settings(stage, s3_url, names):
    """Values of todo_site.settings.production, evaluated in a fresh interpreter with the stage's environment."""
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_"))},
        **stage.function_environment(s3_url, local_secrets("postgres://todo@db.example.com:5432/todo")),
        "DJANGO_SETTINGS_MODULE": "todo_site.settings.production",
    }
    script = (
        f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def daily_event(stage):
    """What EventBridge sends the function for the stage's daily schedule."""
    (schedule,) = [event for event in stage.config["events"] if event["expression"] == "rate(1 day)"]
    rule = Zappa(load_credentials=False).get_scheduled_event_name(schedule, schedule["function"], stage.lambda_name)
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-01-01T03:00:00Z",
        "region": stage.region,
        "resources": [f"arn:aws:events:{stage.region}:123456789012:rule/{rule}"],
        "detail": {},
    }
