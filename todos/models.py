from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

TITLE_MAX_LENGTH = 200


def validate_readable(title):
    """Refuse text that arrived damaged: bytes that are not UTF-8 are decoded to U+FFFD."""
    if "\ufffd" in title:
        raise ValidationError("This title could not be read. Please type it again.", code="unreadable")


class TodoQuerySet(models.QuerySet):
    def active(self):
        return self.filter(completed=False)

    def completed(self):
        return self.filter(completed=True)

    def counts(self):
        """Active, completed and total todos, in one query."""
        counts = self.aggregate(total=Count("pk"), completed=Count("pk", filter=Q(completed=True)))
        counts["active"] = counts["total"] - counts["completed"]
        return counts

    def mark(self, *, completed):
        """Set every todo's completed flag in one UPDATE; returns how many changed."""
        return self.exclude(completed=completed).update(completed=completed, updated=timezone.now())


class Todo(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="todos")
    title = models.CharField(
        max_length=TITLE_MAX_LENGTH, validators=[ProhibitNullCharactersValidator(), validate_readable]
    )
    completed = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = TodoQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["owner", "created", "id"], name="todos_owner_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    GreaterThan(Length("title"), 0),
                    LessThanOrEqual(Length("title"), TITLE_MAX_LENGTH),
                ),
                name="todos_title_length",
                violation_error_message=f"A title needs 1 to {TITLE_MAX_LENGTH} characters.",
            ),
            models.CheckConstraint(
                condition=Q(title=Trim("title")),
                name="todos_title_trimmed",
                violation_error_message="A title cannot start or end with spaces.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("todos:edit", args=[self.pk])

    def clean(self):
        self.title = (self.title or "").strip()
        if not self.title:
            raise ValidationError({"title": ValidationError("Write something to do.", code="blank")})
