import unicodedata
import zoneinfo
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EMAIL_KEY_LENGTH = 254


def email_key(address):
    """The one spelling of an e-mail address that identifies its account: Unicode NFKC, then case-folded.

    ALICE@, Alice@ and the full-width ａlice@ are alice@; the dotless alıce@ and alİce@ are addresses of
    their own, as they are to a mail server. Django compares addresses the same way when it sends
    password-reset e-mails (CVE-2019-19844). Every lookup by address is an exact match on this key,
    never the database's case-insensitive comparison (PostgreSQL's UPPER() makes alıce@ alice@).
    """
    return unicodedata.normalize("NFKC", address.strip()).casefold()


@cache
def time_zones():
    """The IANA time zone names this Python knows."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(name):
    if name not in time_zones():
        raise ValidationError(_("%(name)s is not a time zone."), code="invalid_time_zone", params={"name": name})


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        """The address in Unicode's compatibility form, its domain lower-cased: the full-width letters and signs
        a CJK input method types (ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ) become the address they stand for."""
        return super().normalize_email(unicodedata.normalize("NFKC", email or ""))

    def get_by_natural_key(self, email):
        return self.get(email_key=email_key(email))

    def with_email(self, email):
        """The account of this address however it is spelled, as a queryset of one or none."""
        return self.filter(email_key=email_key(email))

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not (extra_fields["is_staff"] and extra_fields["is_superuser"]):
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(
        _("email address"), unique=True, help_text=_("As typed; the account's address for e-mails.")
    )
    email_key = models.CharField(
        _("address key"),
        max_length=EMAIL_KEY_LENGTH,
        unique=True,
        editable=False,
        help_text=_("The address in the one spelling that identifies the account (see accounts.models.email_key)."),
        error_messages={"unique": _("An account with this e-mail address already exists.")},
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can log into the admin site."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Unselect this instead of deleting accounts to keep their data but block sign-in."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Due dates are counted in this time zone: its today is your today."),
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("daily digest"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(23)],
        help_text=_("The hour of your day at which you get an e-mail of the todos due today and overdue."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the e-mails the site sends: the one chosen last on the site."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=models.Q(digest_hour__lte=23), name="accounts_user_digest_hour_of_a_day"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)
        self.email_key = email_key(self.email)
        if len(self.email_key) > EMAIL_KEY_LENGTH:
            raise ValidationError({"email": ValidationError(_("This e-mail address is too long."), code="max_length")})

    def save(self, *args, **kwargs):
        self.email_key = email_key(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.email

    def today(self):
        """Today's date where the user is."""
        return timezone.localdate(timezone=zoneinfo.ZoneInfo(self.time_zone))

    def get_short_name(self):
        return self.email


class AttemptQuerySet(models.QuerySet):
    def since(self, seconds):
        return self.filter(at__gt=timezone.now() - timedelta(seconds=seconds))

    def expired(self):
        """Attempts that count toward no throttle any more: older than the longest window of settings.THROTTLES."""
        longest = max(rule["seconds"] for rule in settings.THROTTLES.values())
        return self.filter(at__lte=timezone.now() - timedelta(seconds=longest))


class Attempt(models.Model):
    """One attempt that a throttle counts (accounts/throttle.py): a failed log-in, a sign-up, a password-reset
    e-mail asked for, a wrong current password. Kept in the database, so every instance counts them together.
    """

    class Action(models.TextChoices):
        LOGIN_FAILURE = "login", _("failed log-in")
        SIGNUP = "signup", _("sign-up")
        SIGNUP_TAKEN = "signup_taken", _("sign-up with a taken address")
        PASSWORD_RESET = "password_reset", _("password reset asked for")
        PASSWORD_CHECK = "password_check", _("wrong current password")

    action = models.CharField(_("action"), max_length=20, choices=Action)
    key = models.CharField(_("address key"), max_length=EMAIL_KEY_LENGTH, blank=True)
    address = models.GenericIPAddressField(_("client address"), help_text=_("An IPv6 address stands for its /64."))
    device = models.CharField(
        _("device"), max_length=32, blank=True, help_text=_("The device cookie the attempt came with, if any.")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("counted attempt")
        verbose_name_plural = _("counted attempts")
        indexes = [
            models.Index(fields=["action", "key", "at"], name="accounts_attempt_key_idx"),
            models.Index(fields=["action", "address", "at"], name="accounts_attempt_address_idx"),
            models.Index(fields=["at"], name="accounts_attempt_at_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.key or '-'} from {self.address}"


def lock_cutoff():
    """Locks taken before this time have lapsed: they last the `login_account` throttle's window."""
    return timezone.now() - timedelta(seconds=settings.THROTTLES["login_account"]["seconds"])


class LoginLockQuerySet(models.QuerySet):
    def active(self):
        return self.filter(locked_at__gt=lock_cutoff())

    def expired(self):
        return self.filter(locked_at__lte=lock_cutoff())


class LoginLock(models.Model):
    """An account that refuses log-ins from browsers without its device cookie for a while: it had the
    `login_account` throttle's number of failures from such browsers. Its owner is told once by e-mail.

    Deleting the lock (in the admin) lifts it, as does a password reset.
    """

    key = models.CharField(_("address key"), max_length=EMAIL_KEY_LENGTH, unique=True)
    locked_at = models.DateTimeField(_("locked at"), default=timezone.now)

    objects = LoginLockQuerySet.as_manager()

    class Meta:
        verbose_name = _("locked account")
        verbose_name_plural = _("locked accounts")

    def __str__(self):
        return self.key


class SendingSecond(models.Model):
    """How many e-mails every instance together has handed to the mail service in one second: the one count
    that keeps all of them within settings.EMAIL_SEND_RATE (see accounts/mail.py)."""

    second = models.BigIntegerField(_("second"), primary_key=True, help_text=_("Seconds since 1970, UTC."))
    sent = models.PositiveIntegerField(_("e-mails sent"), default=0)

    class Meta:
        verbose_name = _("sending second")
        verbose_name_plural = _("sending seconds")

    def __str__(self):
        return f"{self.second}: {self.sent}"
