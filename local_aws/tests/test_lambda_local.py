"""The todo journeys in Chromium against `make lambda-local`: the zip behind the local API Gateway."""

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from deploy.tests.support import mailed
from local_aws.invoke import counts
from local_aws.lambda_local import background as lambda_local_in_background
from todos.tests.journeys import journey_with_javascript, journey_without_javascript, sign_up

pytestmark = [pytest.mark.lambda_package, pytest.mark.browser]


@pytest.fixture(scope="module")
def lambda_local(lambda_zip, scratch_database, tmp_path_factory):
    """`make lambda-local ADMIN=root@example.com`; yields the site's and the static files' URL (the CloudFront
    stand-in's), the log and the Lambda API."""
    log = tmp_path_factory.mktemp("lambda-local") / "stderr.log"
    with lambda_local_in_background(lambda_zip, scratch_database, log, admin="root@example.com") as running:
        yield running.site, running.static, log, running.lambda_api


def test_the_todomvc_journey_with_javascript(lambda_local, new_page):
    """Scripts and styles come from the stage's CloudFront distribution (its stand-in), as the Content-Security-Policy
    allows."""
    site, static_origin, _, _ = lambda_local
    page = new_page()
    loaded = []
    page.on("response", lambda response: loaded.append((response.url, response.status)))
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))

    journey_with_javascript(page, f"{site}accounts/signup/", email="ann@example.com")

    assert [url for url, status in loaded if url.startswith(static_origin) and "/todos/todos." in url]
    assert not [(url, status) for url, status in loaded if status >= 400 and not url.endswith("/favicon.ico")]
    assert violations == []


def test_the_todomvc_journey_without_javascript(lambda_local, new_page):
    site, _, _, _ = lambda_local
    journey_without_javascript(new_page(java_script_enabled=False), f"{site}accounts/signup/", email="bob@example.com")


def reset_links(site, log):
    # The console prints e-mails quoted-printable: "=" ends a line that continues.
    printed = log.read_text().replace("=\n", "")
    return re.findall(rf"^{re.escape(site)}accounts/password/reset/\S+$", printed, re.MULTILINE)


def choose_password(page, link, password):
    page.goto(link)
    page.fill("input[name=new_password1]", password)
    page.fill("input[name=new_password2]", password)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Password set")).to_be_visible()


def test_the_administrator_given_to_lambda_local_chooses_a_password_and_signs_in(lambda_local, new_page):
    """make lambda-local ADMIN=root@example.com prints the administrator's one-time link."""
    site, _, log, _ = lambda_local
    page = new_page()
    choose_password(page, reset_links(site, log)[0], "a-Chosen-admin-Pass-7")
    page.goto(f"{site}admin/")
    page.fill("input[name=username]", "root@example.com")
    page.fill("input[name=password]", "a-Chosen-admin-Pass-7")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def mailed_reset_links(site):
    """The reset links of the e-mails the dev stage's SES accepted."""
    pattern = rf"{re.escape(site)}accounts/password/reset/\S+/"
    return [link for message in mailed("dev") for link in re.findall(pattern, message.get_content())]


def test_a_mailed_password_reset_link_leads_back_to_the_local_site(lambda_local, new_page):
    site, _, _, lambda_api = lambda_local
    page = new_page()
    sign_up(page, f"{site}accounts/signup/", "carol@example.com")
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{site}accounts/password/reset/")
    page.fill("input[name=email]", "carol@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    # The e-mail left from an asynchronous task: wait until the function's tasks are done.
    assert counts(lambda_api, 60)["drained"]
    (link,) = mailed_reset_links(site)
    choose_password(page, link, "a-Brand-new-Pass-42")


def test_outside_the_stage_the_gateway_answers_forbidden(lambda_local):
    site, _, _, _ = lambda_local
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(site.removesuffix("dev/"))  # noqa: S310 - the bridge's http URL
    assert error.value.code == 403
    assert json.load(error.value) == {"message": "Forbidden"}
