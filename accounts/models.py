import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        """E-mail addresses identify accounts without regard to letter case."""
        return self.get(email__iexact=email)

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
    email = models.EmailField("email address", unique=True)
    is_staff = models.BooleanField(
        "staff status",
        default=False,
        help_text="Designates whether the user can log into the admin site.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Unselect this instead of deleting accounts to keep their data but block sign-in.",
    )
    date_joined = models.DateTimeField("date joined", default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message="An account with this e-mail address already exists.",
            ),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self):
        return self.email

    def get_short_name(self):
        return self.email


class LoginThrottleManager(models.Manager):
    def acquire(self, username):
        """The throttle of the account key typed as `username`, row-locked until the transaction ends."""
        throttle, _ = self.select_for_update().get_or_create(key=LoginThrottle.key_for(username))
        return throttle

    def expired(self):
        """Throttles that neither lock their key nor count failures toward a lock any more."""
        now = timezone.now()
        window_start = now - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
        return self.filter(
            models.Q(locked_until__isnull=True) | models.Q(locked_until__lte=now),
            models.Q(window_start__isnull=True) | models.Q(window_start__lte=window_start),
        )


class LoginThrottle(models.Model):
    """Failed log-ins for one account key, kept in the database so that every server counts them together.

    The key is the e-mail address as typed, whether or not an account uses it: a lock then looks the
    same for every address and tells nothing about which accounts exist.
    """

    key = models.CharField("e-mail address as typed, lower-cased", max_length=254, unique=True)
    failures = models.PositiveIntegerField("failures in the current window", default=0)
    window_start = models.DateTimeField("first failure of the window", null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = LoginThrottleManager()

    class Meta:
        verbose_name = "log-in throttle"
        verbose_name_plural = "log-in throttles"

    def __str__(self):
        return self.key

    @staticmethod
    def key_for(username):
        # lower() can lengthen a few characters (İ becomes i̇); the key keeps the field's 254.
        return UserManager.normalize_email(username).lower()[:254]

    def is_locked(self):
        return self.locked_until is not None and self.locked_until > timezone.now()

    def minutes_left(self):
        return math.ceil((self.locked_until - timezone.now()).total_seconds() / 60)

    def record_failure(self):
        """Count a failed log-in; the LOGIN_FAILURE_LIMIT-th within the window locks the key for a while."""
        now = timezone.now()
        window = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
        if self.window_start is None or now - self.window_start >= window:
            self.failures, self.window_start = 0, now
        self.failures += 1
        if self.failures >= settings.LOGIN_FAILURE_LIMIT:
            self.failures, self.window_start, self.locked_until = 0, None, now + window
        self.save()
