"""What the production stage's handler lets out: no request data in its logs, no tracebacks in responses."""

import pytest

from local_aws.events import Response, api_host, rest_event
from local_aws.stage import Stage

from .visitor import PASSWORD, Visitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def production():
    return Stage("production")


def test_production_logs_no_request_bodies_and_no_cookies(build_lambda_handler, production, capfd, caplog):
    visitor = Visitor(
        build_lambda_handler(production),
        stage="production",
        host=api_host(production.region),
        event=production.api_event,
    )
    signup = visitor.page(visitor.url("signup"))
    visitor.submit(signup, visitor.url("signup"), email="ann@example.com", password1=PASSWORD, password2=PASSWORD)
    visitor.get(visitor.url("todos:list"))

    out, err = capfd.readouterr()
    logged = out + err + caplog.text
    assert visitor.cookies["sessionid"]
    for secret in (PASSWORD, visitor.cookies["sessionid"], visitor.cookies["csrftoken"], "ann%40example.com"):
        assert secret not in logged


def test_dev_logs_each_request_line(build_lambda_handler, dev, caplog):
    """The contrast: dev's INFO level shows requests (still without their bodies)."""
    visitor = Visitor(build_lambda_handler(dev), stage="dev", host=api_host(dev.region))
    visitor.get(visitor.url("login"))
    assert '"GET /accounts/login/ HTTP/1.1" 200' in caplog.text


@pytest.mark.parametrize("stage_name", ["dev", "production"])
def test_a_failing_request_shows_no_traceback_in_any_stage(build_lambda_handler, stage_name):
    """Zappa's `debug` is off on every stage: each is served on a public URL."""
    stage = Stage(stage_name)
    invoke = build_lambda_handler(stage)
    event = rest_event("GET", "/", stage=stage_name, host=api_host(stage.region))
    del event["path"]  # Zappa cannot build a request from this event and answers 500 itself.

    response = Response.from_result(invoke(event))

    assert response.status == 500
    assert "Traceback" not in response.text
