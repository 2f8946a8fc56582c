"""The cold-start baseline: a minimal Django project packaged by stock `zappa package`.

`startproject` plus one view returning a short page, the Django and Zappa versions of
requirements.txt, a virtualenv holding only those two, and Zappa's default settings (only
what a stage needs: the Django settings module, a project name, the runtime, a bucket). The
one change to the generated settings is ALLOWED_HOSTS, so that it answers API Gateway's host.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEW = """from django.http import HttpResponse


def hello(request):
    return HttpResponse("<!doctype html><title>Hello</title><p>Hello from Lambda.</p>")
"""
SETTINGS = """{
    "bench": {
        "django_settings": "hello.settings",
        "project_name": "hello-baseline",
        "runtime": "python3.13",
        "aws_region": "us-east-1",
        "s3_bucket": "hello-baseline-code"
    }
}
"""


def pinned(name):
    """The `name==version` line of requirements.txt."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if re.match(rf"{name}==", line, re.IGNORECASE):
            return line.split("#")[0].strip()
    raise SystemExit(f"{name} is not pinned in requirements.txt")


def run(*command, **kwargs):
    subprocess.run(command, check=True, **kwargs)


def build(workdir: Path) -> Path:
    """Build the baseline zip in workdir (reusing its virtualenv) and return its path."""
    venv = workdir / "venv"
    requirements = [pinned("Django"), pinned("zappa")]
    marker = venv / "requirements.txt"
    if not marker.exists() or marker.read_text() != "\n".join(requirements):
        shutil.rmtree(venv, ignore_errors=True)
        run(sys.executable, "-m", "venv", venv)
        run(venv / "bin/pip", "install", "--quiet", "--disable-pip-version-check", *requirements)
        marker.write_text("\n".join(requirements))
    project = workdir / "project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    run(venv / "bin/django-admin", "startproject", "hello", project)
    (project / "hello/views.py").write_text(VIEW)
    urls = project / "hello/urls.py"
    urls.write_text(
        urls.read_text()
        .replace("from django.urls import path", "from django.urls import path\n\nfrom .views import hello")
        .replace("urlpatterns = [", 'urlpatterns = [\n    path("", hello),')
    )
    settings = project / "hello/settings.py"
    settings.write_text(settings.read_text().replace("ALLOWED_HOSTS = []", 'ALLOWED_HOSTS = [".amazonaws.com"]'))
    (project / "zappa_settings.json").write_text(SETTINGS)
    package = workdir / "baseline.zip"
    package.unlink(missing_ok=True)
    environment = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "VIRTUAL_ENV": str(venv), "HOME": str(workdir)}
    run(venv / "bin/zappa", "package", "bench", "-o", package, cwd=project, env=environment, stdout=subprocess.DEVNULL)
    return package


if __name__ == "__main__":
    print(build(Path(sys.argv[1]).resolve()))
