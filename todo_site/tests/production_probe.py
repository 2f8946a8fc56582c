"""Sign in through the production settings and print what the visitor received, as JSON.

Run by the production settings tests in a fresh process with the production environment and a
throwaway SQLite DATABASE_URL: python -m todo_site.tests.production_probe
"""

import json

import django
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

EMAIL = "ann@example.com"
PASSWORD = "correct horse battery staple"


def seen(response):
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "headers": dict(response.headers),
        "cookies": {
            name: {attribute: morsel[attribute] for attribute in ("secure", "httponly", "samesite")}
            for name, morsel in response.cookies.items()
        },
    }


def main():
    django.setup()
    from django.contrib.auth import get_user_model

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user(email=EMAIL, password=PASSWORD)
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    login = reverse("login")
    print(
        json.dumps(
            {
                "login_page": seen(client.get(login, secure=True)),
                "signed_in": seen(client.post(login, {"username": EMAIL, "password": PASSWORD}, secure=True)),
                "not_found": seen(client.get("/no-such-page/", secure=True)),
            }
        )
    )


if __name__ == "__main__":
    main()
