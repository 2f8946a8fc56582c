"""Lighthouse's four scores for the home page, the log-in page and the signed-in list, on mobile and desktop.

    .venv/bin/python scripts/lighthouse.py      # `make lighthouse`

Serves the site as `make run` does, but with DEBUG off, on a throwaway SQLite database holding a
user with 20 todos, and runs Lighthouse 12.2.3 (installed with npm into build/lighthouse when
missing; it drives Debian's Chromium through CHROME_PATH) once per page and form factor. Prints
a table of Performance, Accessibility, Best Practices and SEO, names every audit short of a perfect
score (which can still round to a category of 100), and exits 1 unless every category scores 100.
Writes the scores to docs/lighthouse.json, and the table docs/PRODUCT.md quotes from it
(bench/quoted.py). Takes two to three minutes.
"""

import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LIGHTHOUSE_VERSION = "12.2.3"
LIGHTHOUSE_DIR = BASE_DIR / "build" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
CHROME_FLAGS += " --disable-sync --no-first-run --disable-quic"


def install():
    if not LIGHTHOUSE.exists():
        print(f"Installing lighthouse@{LIGHTHOUSE_VERSION} into {LIGHTHOUSE_DIR.relative_to(BASE_DIR)}", flush=True)
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--exact", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", LIGHTHOUSE_DIR,
             f"lighthouse@{LIGHTHOUSE_VERSION}"],
            check=True,
        )  # fmt: skip
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("Chromium is not installed (apt-get install chromium), as scripts/test installs it.")
    return chromium


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_environment(folder):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_site.settings.base",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder}/lighthouse.sqlite3",
    }


SIGNED_IN = """
from django.test import Client
from accounts.models import User
from todos.models import Todo
user = User.objects.create_user(email="lighthouse@example.com")
Todo.objects.bulk_create(
    Todo(owner=user, title=f"Todo number {n}: something to do", completed=n % 3 == 0) for n in range(20)
)
client = Client()
client.force_login(user)
print(client.cookies["sessionid"].value)
"""


def prepare(environment):
    """Migrate the throwaway database and sign a user in; returns their session cookie."""
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=environment, check=True)
    result = subprocess.run(
        [*manage, "shell", "-c", SIGNED_IN], cwd=BASE_DIR, env=environment, check=True, capture_output=True, text=True
    )
    return result.stdout.strip().splitlines()[-1]


def serve(environment, port):
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.2)
    server.terminate()
    sys.exit("The site did not start.")


def audit(chromium, url, form_factor, report, cookie=None):
    """Lighthouse's report of one page, as a dict."""
    command = [
        LIGHTHOUSE, url, "--quiet", "--output=json", f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
    ]  # fmt: skip
    if form_factor == "desktop":
        command.append("--preset=desktop")
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': f'sessionid={cookie}'})}")
    # Lighthouse sometimes fails to record a trace (NO_NAVSTART) and asks to be run again: up to three times.
    for _ in range(3):
        run = subprocess.run(command, env={**os.environ, "CHROME_PATH": chromium}, timeout=300)
        if run.returncode == 0:
            return json.loads(Path(report).read_text())
    sys.exit(f"Lighthouse failed three times on {url} ({form_factor}).")


def main():
    chromium = install()
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    pages = {"home": "/", "log-in": "/accounts/login/", "signed-in list": "/todos/"}
    failures = 0
    audited = []
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as folder:
        environment = site_environment(folder)
        cookie = prepare(environment)
        server = serve(environment, port)
        try:
            print(f"| Page | Form factor | {' | '.join(CATEGORIES)} |")
            print(f"| --- | --- |{' --- |' * len(CATEGORIES)}")
            for name, path in pages.items():
                for form_factor in ("mobile", "desktop"):
                    report = audit(
                        chromium,
                        site + path,
                        form_factor,
                        Path(folder) / "report.json",
                        cookie if name == "signed-in list" else None,
                    )
                    final_url = report["finalDisplayedUrl"]
                    if not final_url.endswith(path):
                        sys.exit(f"{name}: Lighthouse ended at {final_url}, not at {path}")
                    scores = [round(report["categories"][category]["score"] * 100) for category in CATEGORIES]
                    print(f"| {name} | {form_factor} | {' | '.join(map(str, scores))} |", flush=True)
                    audited.append(
                        {"page": name, "form_factor": form_factor, **dict(zip(CATEGORIES, scores, strict=True))}
                    )
                    failures += sum(score < 100 for score in scores)
                    # Audits short of a perfect score, even within a category's 100: what to watch.
                    for category in CATEGORIES:
                        for reference in report["categories"][category]["auditRefs"]:
                            result = report["audits"][reference["id"]]
                            if reference["weight"] and result["score"] is not None and result["score"] < 1:
                                shown = (
                                    f" ({result['displayValue']}, score {result['score']})"
                                    if result.get("displayValue")
                                    else ""
                                )
                                print(f"    {category}: {reference['id']}: {result['title']}{shown}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures = {"date": datetime.date.today().isoformat(), "lighthouse": LIGHTHOUSE_VERSION, "audits": audited}
    (BASE_DIR / "docs" / "lighthouse.json").write_text(json.dumps(figures, indent=2) + "\n")
    sys.path.insert(0, str(BASE_DIR))
    from bench import quoted

    quoted.refresh("lighthouse.json")
    print("Scores: docs/lighthouse.json; quoted in docs/PRODUCT.md")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
