"""The todo journeys in Chromium against `make lambda-local`: the zip behind the local API Gateway."""

import json
import re
import select
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from deploy.stage import BASE_DIR
from todos.tests.journeys import journey_with_javascript, journey_without_javascript

pytestmark = [pytest.mark.lambda_package, pytest.mark.browser]


@pytest.fixture(scope="module")
def lambda_local(lambda_zip, scratch_database, tmp_path_factory):
    """What `make lambda-local` runs after `make package`, on a free port; yields the site's and the S3 URL."""
    log = tmp_path_factory.mktemp("lambda-local") / "stderr.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.lambda_local", "--zip", str(lambda_zip), "--port", "0"]
            + ["--database-url", scratch_database],
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    deadline = time.monotonic() + 180
    line = ""
    while not line.startswith("Serving") and time.monotonic() < deadline and process.poll() is None:
        if select.select([process.stdout], [], [], deadline - time.monotonic())[0]:
            line = process.stdout.readline()
    match = re.search(r" at (http://\S+/dev/) \(static files from (http://\S+)\)", line)
    assert match, f"lambda-local did not start:\n{log.read_text()}"
    yield match.group(1), match.group(2)
    process.terminate()
    assert process.wait(timeout=30) == 0


def test_the_todomvc_journey_with_javascript(lambda_local, new_page):
    site, static_origin = lambda_local
    page = new_page()
    loaded = []
    page.on("response", lambda response: loaded.append((response.url, response.status)))

    journey_with_javascript(page, f"{site}accounts/signup/", email="ann@example.com")

    assert [url for url, status in loaded if url.startswith(static_origin) and "/todos/todos." in url]
    assert not [(url, status) for url, status in loaded if status >= 400 and not url.endswith("/favicon.ico")]


def test_the_todomvc_journey_without_javascript(lambda_local, new_page):
    site, _ = lambda_local
    journey_without_javascript(new_page(java_script_enabled=False), f"{site}accounts/signup/", email="bob@example.com")


def test_outside_the_stage_the_gateway_answers_forbidden(lambda_local):
    site, _ = lambda_local
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(site.removesuffix("dev/"))  # noqa: S310 - the bridge's http URL
    assert error.value.code == 403
    assert json.load(error.value) == {"message": "Forbidden"}
