from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Max, Q, Subquery, Value
from django.db.models.functions import Coalesce, Length, Lower, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 200
LIST_NAME_MAX_LENGTH = 100
# Room left between neighbouring todos' positions, so that a move takes one UPDATE: the moved todo gets a
# position between its new neighbours'. When two neighbours have no room left, the list is renumbered.
POSITION_GAP = 1024


def validate_readable(title):
    """Refuse text that arrived damaged: bytes that are not UTF-8 are decoded to U+FFFD."""
    if "\ufffd" in title:
        raise ValidationError(_("This title could not be read. Please type it again."), code="unreadable")


class TodoListQuerySet(models.QuerySet):
    def with_counts(self):
        """Each list with its total and completed todos, in the one query."""
        counted = self.annotate(total=Count("todos"), completed=Count("todos", filter=Q(todos__completed=True)))
        # A grouped query leaves out Meta.ordering: it is asked for again.
        return counted.annotate(active=F("total") - F("completed")).order_by(*self.model._meta.ordering)

    def default_for(self, user):
        """The user's default list, made now (named in the active language) if the user has none yet."""
        default = self.filter(owner=user, is_default=True).first()
        if default is not None:
            return default
        try:
            with transaction.atomic():
                return self.create(owner=user, is_default=True, name=gettext("Todos"))
        except IntegrityError:
            # Made at the same moment by another request.
            return self.get(owner=user, is_default=True)


class TodoList(models.Model):
    """A user's list of todos. Every user has one default list, which cannot be deleted; `/todos/` is its page."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="todo_lists",
        verbose_name=_("owner"),
        db_index=False,
    )
    name = models.CharField(
        _("name"),
        max_length=LIST_NAME_MAX_LENGTH,
        validators=[ProhibitNullCharactersValidator(), validate_readable],
        error_messages={"blank": _("Give the list a name.")},
    )
    is_default = models.BooleanField(_("default list"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TodoListQuerySet.as_manager()

    class Meta:
        verbose_name = _("list")
        verbose_name_plural = _("lists")
        ordering = ["-is_default", "created", "pk"]
        constraints = [
            models.UniqueConstraint(
                F("owner"),
                Lower("name"),
                name="todos_list_name_unique",
                violation_error_message=_("You have a list of that name already."),
            ),
            models.UniqueConstraint(fields=["owner"], condition=Q(is_default=True), name="todos_one_default_list"),
            models.CheckConstraint(
                condition=Q(
                    GreaterThan(Length("name"), 0),
                    LessThanOrEqual(Length("name"), LIST_NAME_MAX_LENGTH),
                    name=Trim("name"),
                ),
                name="todos_list_name_length",
                violation_error_message=format_lazy(
                    _("A list's name needs 1 to {} characters, with no spaces around."), LIST_NAME_MAX_LENGTH
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.url("list")

    def url(self, name):
        """The URL of the list's page or action `name` (list, active, completed, toggle_all, clear_completed):
        the default list's under /todos/, so that nothing that links there breaks."""
        if self.is_default:
            return reverse(f"todos:{name}")
        return reverse(f"lists:{name}", args=[self.pk])


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

    def bulk_create(self, objs, *args, **kwargs):
        """As Todo.save(): a todo without a list goes to its owner's default list."""
        objs, defaults = list(objs), {}
        for todo in objs:
            if todo.todo_list_id is None:
                if todo.owner_id not in defaults:
                    defaults[todo.owner_id] = TodoList.objects.default_for(todo.owner)
                todo.todo_list = defaults[todo.owner_id]
        return super().bulk_create(objs, *args, **kwargs)

    def due_by(self, day):
        """Open todos due on or before `day`: what is due today, and overdue."""
        return self.active().filter(due__lte=day)

    def add(self, *, todo_list, title, due=None):
        """A new todo at the end of `todo_list`, in one INSERT."""
        last = self.model.objects.filter(todo_list=todo_list).order_by().values("todo_list")
        last = last.annotate(last=Max("position")).values("last")
        position = Coalesce(Subquery(last), Value(-POSITION_GAP)) + POSITION_GAP
        return self.create(owner_id=todo_list.owner_id, todo_list=todo_list, title=title, due=due, position=position)


class Todo(models.Model):
    # No index of its own: todos_owner_created_idx starts with the owner. The owner is the list's owner,
    # kept on the todo so that every query of a user's todos starts from it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="todos",
        verbose_name=_("owner"),
        db_index=False,
    )
    # No index of its own: todos_list_position_idx starts with the list.
    todo_list = models.ForeignKey(
        TodoList, on_delete=models.CASCADE, related_name="todos", verbose_name=_("list"), db_index=False
    )
    position = models.BigIntegerField(_("position"), default=0, help_text=_("Its place in the list: lowest first."))
    due = models.DateField(_("due"), null=True, blank=True)
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
        ordering = ["position", "pk"]
        indexes = [
            models.Index(fields=["owner", "created", "id"], name="todos_owner_created_idx"),
            models.Index(fields=["todo_list", "position", "id"], name="todos_list_position_idx"),
            models.Index(fields=["owner", "due"], condition=Q(due__isnull=False), name="todos_owner_due_idx"),
        ]
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

    def save(self, *args, **kwargs):
        # A todo saved without a list goes to its owner's default list, as one added at /todos/ does.
        if self.todo_list_id is None and self.owner_id is not None:
            self.todo_list = TodoList.objects.default_for(self.owner)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("todos:edit", args=[self.pk])

    def clean(self):
        super().clean()
        if self.todo_list_id is not None and self.owner_id is not None and self.todo_list.owner_id != self.owner_id:
            raise ValidationError(
                {"todo_list": ValidationError(_("The list is another user's."), code="another_users_list")}
            )

    def move(self, position, todo_list=None):
        """Put the todo at index `position` (0-based, clamped) of `todo_list` (by default its own): one UPDATE,
        unless its new neighbours have no room between their positions, when the list is renumbered first."""
        list_id = todo_list.pk if todo_list else self.todo_list_id
        with transaction.atomic():
            # One move in a list at a time: a renumbering reads and writes every position of the list.
            TodoList.objects.select_for_update().filter(pk=list_id).values_list("pk").get()
            self._move(list_id, max(0, position))

    def _move(self, list_id, position):
        others = Todo.objects.filter(todo_list_id=list_id).exclude(pk=self.pk).order_by("position", "pk")
        for _attempt in range(2):
            before, after = neighbours(others, position)
            if before is None and after is None:
                new = 0
            elif before is None:
                new = after - POSITION_GAP
            elif after is None:
                new = before + POSITION_GAP
            else:
                new = (before + after) // 2
            if new not in (before, after):
                break
            renumber(others)
        self.todo_list_id, self.position = list_id, new
        self.save(update_fields=["todo_list", "position", "updated"])


def neighbours(todos, index):
    """The positions of the todos that would stand before and after one put at `index` of `todos` (None: none)."""
    if index == 0:
        return None, todos.values_list("position", flat=True).first()
    around = list(todos.values_list("position", flat=True)[index - 1 : index + 1])
    if not around:
        # Past the end: after the last one.
        return todos.aggregate(last=Max("position"))["last"], None
    return around[0], (around[1] if len(around) > 1 else None)


def renumber(todos):
    """Spread the todos' positions POSITION_GAP apart, keeping their order, in one UPDATE."""
    todos = list(todos.only("pk", "position"))
    for index, todo in enumerate(todos):
        todo.position = index * POSITION_GAP
    Todo.objects.bulk_update(todos, ["position"])


class Digest(models.Model):
    """A user's daily digest of one day: the claim a sender takes before it sends (todos/digest.py).

    One per user and local day, whoever tries to send it: the unique constraint decides. A send the mail
    service refused (or that never left) is released, FAILED, and taken again by a retry, at most
    settings.DIGEST_ATTEMPTS times in all; a send whose outcome is unknown (a timeout) is never repeated.
    """

    class State(models.TextChoices):
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        NOTHING_DUE = "nothing_due", _("nothing due: not sent")
        FAILED = "failed", _("refused: to be tried again")
        UNKNOWN = "unknown", _("no answer from the mail service: not tried again")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests", verbose_name=_("user")
    )
    day = models.DateField(_("day"), help_text=_("The user's date the digest is of."))
    state = models.CharField(_("state"), max_length=12, choices=State, default=State.SENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    todos = models.PositiveIntegerField(_("todos"), default=0, help_text=_("How many todos it listed."))

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="todos_digest_one_a_day")]
        indexes = [models.Index(fields=["day"], name="todos_digest_day_idx")]

    def __str__(self):
        return f"{self.user} {self.day.isoformat()}"
