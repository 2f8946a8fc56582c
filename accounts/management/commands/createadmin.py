from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class Command(BaseCommand):
    help = (
        "Create a superuser without a password and print a one-time link where they choose one. "
        "No password passes through the command line, the environment or the logs; the link stops "
        "working once used, and after PASSWORD_RESET_TIMEOUT."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The administrator's e-mail address, which is also their login.")
        parser.add_argument(
            "site_url",
            help="The address the site is served at, stage included, e.g. "
            "https://abc123defg.execute-api.us-east-1.amazonaws.com/production",
        )

    def handle(self, *args, email, site_url, **options):
        user_model = get_user_model()
        user = user_model(email=user_model.objects.normalize_email(email), is_staff=True, is_superuser=True)
        user.set_unusable_password()
        try:
            user.full_clean()
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        user.save()
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        self.stdout.write(f"Administrator {user.email} created. To choose their password, open:")
        self.stdout.write(f"{site_url.rstrip('/')}{path}")
