"""E-mails the accounts app sends on its own, apart from Django's password-reset e-mail: in the owner's language."""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import mail
from .models import User


def send_lock_notice(key):
    """Tell the owner of the account `key`, if there is one that can log in, that its lock engaged, with a
    link that resets the password (and so lifts the lock)."""
    user = User.objects.filter(email_key=key, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    uidb64, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    link = mail.site_url("password_reset_confirm", uidb64, token)
    context = {"email": user.email, "link": link}
    with translation.override(user.language):
        subject = render_to_string("accounts/lock_notice_subject.txt", context).strip()
        body = render_to_string("accounts/lock_notice_email.txt", context)
    mail.send(EmailMessage(subject, body, to=[user.email]))
