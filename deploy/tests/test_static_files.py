"""collectstatic with the production storage into the S3 emulator, and pages that use it through the stage's
CloudFront distribution (its stand-in, local_aws/cloudfront.py)."""

import gzip
import json
import re
import subprocess
import urllib.error
import urllib.request

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils.module_loading import import_string

from deploy import collectstatic
from local_aws.aws_emulator import CREDENTIALS, REGION
from local_aws.cloudfront import StaticDistribution

from .support import production_settings, written_stage

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def distribution(s3, dev):
    with StaticDistribution(s3.url, dev.static_bucket) as distribution:
        yield distribution


@pytest.fixture(scope="module")
def storages(s3, dev, distribution):
    """Production's STORAGES, with the dev stage's bucket and policy on the emulator, and its STATIC_URL the
    distribution's."""
    dev.provide_s3(s3)
    return production_settings(dev, s3.url, ["STORAGES"], STATIC_URL=distribution.static_url)["STORAGES"]


@pytest.fixture(scope="module")
def collected(storages):
    with pytest.MonkeyPatch.context() as patch, override_settings(STORAGES=storages):
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        call_command("collectstatic", "--noinput", verbosity=0)
        yield storages


@pytest.fixture
def on_s3(collected, settings, distribution):
    """The address static files are served at: the distribution's."""
    settings.STORAGES = collected
    return distribution.url.rstrip("/")


def fetch(url, method="GET", **headers):
    """An anonymous request, as a browser loading the page makes it."""
    request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310 - the stand-in's http URL
    with urllib.request.urlopen(request) as response:  # noqa: S310 - the stand-in's http URL
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


def test_the_distribution_adds_the_stacks_response_headers_and_compresses(on_s3, user_client):
    (css,) = [url for url in static_urls(user_client.get(reverse("todos:list")).content.decode()) if "site." in url]
    plain, headers = fetch(css)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["Content-Type"] == "text/css"
    compressed, headers = fetch(css, **{"Accept-Encoding": "gzip, br"})
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed) == plain


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/static/css/nothing-here.css", "GET"),
        ("/db.sqlite3", "GET"),
        ("/static/../x", "GET"),
        ("/static/css/site.css", "POST"),
    ],
)
def test_the_distribution_serves_only_the_files_under_static(on_s3, path, method):
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(f"{on_s3}{path}", method=method)
    assert refused.value.code == 403


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


def test_make_collectstatic_uploads_with_the_deployers_credentials(s3, tmp_path):
    """deploy/collectstatic.py, as `make collectstatic STAGE=dev` runs it on the stage `make stage` wrote, outside
    the function."""
    dev = written_stage("dev", tmp_path)
    bucket = f"{dev.static_bucket}-deployer"
    s3.client().create_bucket(Bucket=bucket)
    overrides = {**CREDENTIALS, "AWS_ENDPOINT_URL_S3": s3.url, "AWS_STORAGE_BUCKET_NAME": bucket}
    output = collectstatic.collectstatic(collectstatic.environment(dev, **overrides))
    assert re.search(r"\d+ static files copied", output)
    keys = {item["Key"] for item in s3.client().list_objects_v2(Bucket=bucket)["Contents"]}
    assert "static/staticfiles.json" in keys
    assert [key for key in keys if re.fullmatch(r"static/todos/todos\.[0-9a-f]{12}\.js", key)]


def test_make_collectstatic_fails_with_s3s_answer(s3, tmp_path):
    dev = written_stage("dev", tmp_path)
    overrides = {**CREDENTIALS, "AWS_ENDPOINT_URL_S3": s3.url, "AWS_STORAGE_BUCKET_NAME": "no-such-bucket-here"}
    with pytest.raises(subprocess.CalledProcessError) as failed:
        collectstatic.collectstatic(collectstatic.environment(dev, **overrides))
    assert "NoSuchBucket" in failed.value.stderr
