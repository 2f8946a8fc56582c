"""collectstatic with the production storage into the S3 emulator, and pages that use it."""

import json
import re
import urllib.request

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils.module_loading import import_string

from deploy.aws_emulator import CREDENTIALS, REGION

from .support import production_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def storages(s3, dev):
    """Production's STORAGES, with the dev stage's bucket and policy on the emulator."""
    dev.provide_s3(s3)
    return production_settings(dev, s3.url, ["STORAGES"])["STORAGES"]


@pytest.fixture(scope="module")
def collected(storages):
    with pytest.MonkeyPatch.context() as patch, override_settings(STORAGES=storages):
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        call_command("collectstatic", "--noinput", verbosity=0)
        yield storages


@pytest.fixture
def on_s3(collected, settings):
    settings.STORAGES = collected
    return f"{collected['staticfiles']['OPTIONS']['endpoint_url']}/{collected['staticfiles']['OPTIONS']['bucket_name']}"


def fetch(url):
    """An anonymous GET, as a browser loading the page makes it."""
    with urllib.request.urlopen(url) as response:  # noqa: S310 - the emulator's http URL
        return response.read(), response.headers


def static_urls(html):
    return re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', html)


def test_pages_reference_hashed_files_on_the_s3_endpoint(on_s3, user_client):
    urls = static_urls(user_client.get(reverse("todos:list")).content.decode())
    assert sorted(re.sub(r"\.[0-9a-f]{12}\.", ".", url) for url in urls) == [
        f"{on_s3}/static/css/site.css",
        f"{on_s3}/static/todos/todos.css",
        f"{on_s3}/static/todos/todos.js",
    ]


def test_the_hashed_files_serve_the_bytes_of_the_sources_with_a_long_cache(on_s3, user_client):
    for url in static_urls(user_client.get(reverse("todos:list")).content.decode()):
        body, headers = fetch(url)
        source = re.sub(r"\.[0-9a-f]{12}\.", ".", url.removeprefix(f"{on_s3}/static/"))
        with open(finders.find(source), "rb") as original:
            assert body == original.read(), url
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_files_under_their_original_name_are_not_cached_for_long(on_s3):
    body, headers = fetch(f"{on_s3}/static/css/site.css")
    assert body
    assert headers["Cache-Control"] is None


def test_the_admin_static_files_are_there_too(on_s3, admin_client):
    urls = static_urls(admin_client.get(reverse("admin:index")).content.decode())
    assert any("/static/admin/css/base." in url for url in urls)
    for url in urls:
        assert url.startswith(f"{on_s3}/static/")
        assert fetch(url)[0]


def test_the_packaged_manifest_decides_the_names(collected, settings, tmp_path, monkeypatch):
    """In the Lambda package the manifest of its own release decides the names, whatever the bucket holds."""
    settings.STORAGES = collected
    backend, options = import_string(collected["staticfiles"]["BACKEND"]), collected["staticfiles"]["OPTIONS"]
    packaged = tmp_path / "staticfiles.json"
    packaged.write_text(json.dumps({"version": "1.1", "paths": {"release/new.css": "release/new.0123456789ab.css"}}))
    monkeypatch.setattr("todo_site.storage.PACKAGED_MANIFEST", packaged)
    assert backend(**options).url("release/new.css").endswith("/static/release/new.0123456789ab.css")
    monkeypatch.setattr("todo_site.storage.PACKAGED_MANIFEST", tmp_path / "absent.json")
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        backend(**options).url("release/new.css")
