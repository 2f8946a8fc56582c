"""The site's translations: gather every string into the catalogues, compile them, and find what is untranslated.

    .venv/bin/python scripts/messages.py            # makemessages, then compilemessages (`make messages`)
    .venv/bin/python scripts/messages.py --check    # exit 1, naming them, if a string is untranslated

The catalogues are locale/<language>/LC_MESSAGES/django.po, one for the whole site (the apps, the
project's templates and the page script's messages, which the list page renders); the compiled
django.mo files next to them are committed, so the site and its Lambda package need no gettext
tools. `--check` gathers the strings into a copy of the sources, so it changes nothing here, and
fails on any string that has no translation or a fuzzy one. Needs GNU gettext (Debian: gettext).
"""

import argparse
import ast
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LANGUAGES = ["zh_Hans"]
SOURCES = ["accounts", "todos", "todo_site", "locale", "manage.py"]
MAKEMESSAGES = ["makemessages", "--no-location", "--no-obsolete", *[f"--locale={code}" for code in LANGUAGES]]


def manage(root, *arguments):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "todo_site.settings.base"}
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=root, env=environment, check=True)


def entries(catalogue):
    """The entries of a .po file's text: dicts with msgid, msgid_plural, msgstr (a list) and flags."""
    found, entry, field = [], None, None
    for line in [*catalogue.splitlines(), ""]:
        line = line.strip()
        if not line:
            if entry is not None:
                found.append(entry)
            entry, field = None, None
            continue
        entry = entry or {"msgid": "", "msgid_plural": None, "msgstr": [], "flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgid_plural ", "msgstr")):
            keyword, _, text = line.partition(" ")
            value = ast.literal_eval(text)
            if keyword.startswith("msgstr"):
                entry["msgstr"].append(value)
                field = ("msgstr", len(entry["msgstr"]) - 1)
            else:
                entry[keyword] = value
                field = (keyword, None)
        elif line.startswith('"') and field is not None:
            name, index = field
            if index is None:
                entry[name] += ast.literal_eval(line)
            else:
                entry[name][index] += ast.literal_eval(line)
    return [entry for entry in found if entry["msgid"]]


def untranslated(catalogue):
    """The msgids of a .po file's text that have no translation, or only a fuzzy one."""
    return [entry["msgid"] for entry in entries(catalogue) if "fuzzy" in entry["flags"] or not all(entry["msgstr"])]


@contextlib.contextmanager
def gathered():
    """A copy of the sources whose catalogues makemessages has brought up to date and compilemessages compiled."""
    with tempfile.TemporaryDirectory(prefix="messages-") as folder:
        root = Path(folder)
        for name in SOURCES:
            source = BASE_DIR / name
            if source.is_dir():
                shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "tests"))
            elif source.exists():
                shutil.copy2(source, root / name)
        (root / "locale").mkdir(exist_ok=True)
        manage(root, *MAKEMESSAGES)
        manage(root, "compilemessages", *[f"--locale={code}" for code in LANGUAGES])
        yield root


def catalogue(root, code, suffix):
    return root / "locale" / code / "LC_MESSAGES" / f"django.{suffix}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--check", action="store_true", help="only report untranslated strings")
    arguments = parser.parse_args()
    with gathered() as root:
        if arguments.check:
            missing = [
                (code, msgid) for code in LANGUAGES for msgid in untranslated(catalogue(root, code, "po").read_text())
            ]
            for code, msgid in missing:
                print(f"{code}: untranslated: {msgid!r}")
            return 1 if missing else 0
        for code in LANGUAGES:
            for suffix in ("po", "mo"):
                catalogue(BASE_DIR, code, suffix).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(catalogue(root, code, suffix), catalogue(BASE_DIR, code, suffix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
