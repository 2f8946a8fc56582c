from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User


class Command(BaseCommand):
    help = (
        "Create an administrator without a password, or give one who has not chosen a password yet a new link, and "
        "print the link where they choose it. The link works once, for PASSWORD_RESET_TIMEOUT (three days unless "
        "set), and a new link stops the previous one working. A printed link is a credential in the command's "
        "output: run by `zappa manage`, that is the function's CloudWatch log, where anyone who may read the log "
        "can use it until it is used or expires. --email sends it to the administrator's address instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The administrator's e-mail address, which is also their login.")
        parser.add_argument(
            "site_url",
            help="The address the site is served at, stage included, e.g. "
            "https://abc123defg.execute-api.us-east-1.amazonaws.com/production",
        )
        parser.add_argument(
            "--email", action="store_true", dest="send", help="send the link to the address instead of printing it"
        )

    def handle(self, *args, email, site_url, send, **options):
        user = User.objects.with_email(email).first()
        if user is None:
            user = User(email=User.objects.normalize_email(email), is_staff=True, is_superuser=True)
            done = "created"
        elif user.is_staff and not user.has_usable_password():
            done = "given a new link; the previous one no longer works"
        else:
            raise CommandError(
                "An account with this e-mail address already exists and has a password: use the password reset page."
            )
        # A new unusable password: the tokens of earlier links, which hash the password, stop matching.
        user.set_unusable_password()
        try:
            user.full_clean()
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        user.save()
        link = site_url.rstrip("/") + reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        days = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))
        if send:
            context = {"link": link, "days": days}
            send_mail(
                render_to_string("accounts/admin_link_subject.txt", context).strip(),
                render_to_string("accounts/admin_link_email.txt", context),
                None,
                [user.email],
            )
            self.stdout.write(f"Administrator {user.email} {done}: the link to choose a password was sent to them.")
        else:
            self.stdout.write(f"Administrator {user.email} {done}. To choose a password within {days} days, open:")
            self.stdout.write(link)
