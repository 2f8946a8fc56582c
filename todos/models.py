from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models, transaction
from django.db.models import Count, Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 200


def validate_readable(title):
    """Refuse text that arrived damaged: bytes that are not UTF-8 are decoded to U+FFFD."""
    if "\ufffd" in title:
        raise ValidationError(_("This title could not be read. Please type it again."), code="unreadable")


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

    @transaction.atomic
    def clear_completed(self):
        """Delete the completed todos; returns their ids."""
        ids = list(self.completed().select_for_update().values_list("pk", flat=True))
        self.model.objects.filter(pk__in=ids).delete()
        return ids


class Todo(models.Model):
    # No index of its own: todos_owner_created_idx starts with the owner.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="todos",
        verbose_name=_("owner"),
        db_index=False,
    )
    title = models.CharField(
        _("title"),
        max_length=TITLE_MAX_LENGTH,
        validators=[ProhibitNullCharactersValidator(), validate_readable],
        error_messages={"blank": _("Write something to do.")},
    )
    completed = models.BooleanField(_("completed"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = TodoQuerySet.as_manager()

    class Meta:
        verbose_name = _("todo")
        verbose_name_plural = _("todos")
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["owner", "created", "id"], name="todos_owner_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    GreaterThan(Length("title"), 0),
                    LessThanOrEqual(Length("title"), TITLE_MAX_LENGTH),
                ),
                name="todos_title_length",
                violation_error_message=format_lazy(_("A title needs 1 to {} characters."), TITLE_MAX_LENGTH),
            ),
            models.CheckConstraint(
                condition=Q(title=Trim("title")),
                name="todos_title_trimmed",
                violation_error_message=_("A title cannot start or end with spaces."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("todos:edit", args=[self.pk])
