from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# E-mails link to the site's address: the test client's host, so that a test follows a link it was sent.
SITE_URL = "http://testserver/"
