from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import TITLE_MAX_LENGTH, Todo, TodoList

TITLE_SEARCH_MAX_LENGTH = TITLE_MAX_LENGTH
DUPLICATE_LIST = _("You have a list of that name already.")


def title_field(**kwargs):
    """The model's title as a form field: its length, its validators and its blank message.

    Like every form CharField it strips the title, which is the only place a title is stripped;
    the database's constraints refuse one that is not.
    """
    model_field = Todo._meta.get_field("title")
    field = model_field.formfield(error_messages={"required": model_field.error_messages["blank"]}, **kwargs)
    field.validators += [validator for validator in model_field.validators if validator not in field.validators]
    return field


def due_field(**kwargs):
    return forms.DateField(
        label=_("Due"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


class TodoForm(forms.Form):
    due = due_field()
    title = title_field(
        label=_("New todo"),
        widget=forms.TextInput(
            attrs={
                "class": "new-todo",
                "placeholder": _("What needs to be done?"),
                "autofocus": True,
                "autocomplete": "off",
            }
        ),
    )


class TodoEditForm(forms.Form):
    """A new title, due date, or both; a field left out of the post keeps its value."""

    title = title_field(
        label=_("Title"),
        required=False,
        help_text=_("Clear the title to delete the todo."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    due = due_field(help_text=_("Leave it empty for no due date."))

    def clean(self):
        # An empty title deletes the todo, so a post without the field at all must not read as one.
        if self.is_bound and not ({"title", "due"} & set(self.data)):
            self.add_error("title", ValidationError(_("Send the todo's title."), code="missing"))
        return super().clean()

    def changes(self):
        """The fields the post carried, with their clean values."""
        return {name: value for name, value in self.cleaned_data.items() if name in self.data}


class CompletedForm(forms.Form):
    """The completed flag sent by the toggle buttons, "true" or "false"; a toggle without it flips the todo."""

    completed = forms.TypedChoiceField(
        choices=[("true", "true"), ("false", "false")],
        coerce={"true": True, "false": False}.get,
        required=False,
        empty_value=None,
    )


class TodoListForm(forms.Form):
    """A list's name: 1 to 100 readable characters, unique among the owner's lists whatever the letter case."""

    name = forms.CharField(
        label=_("Name"),
        max_length=TodoList._meta.get_field("name").max_length,
        validators=TodoList._meta.get_field("name").validators,
        error_messages={"required": TodoList._meta.get_field("name").error_messages["blank"]},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, owner, instance=None, **kwargs):
        self.owner, self.instance = owner, instance
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"]
        others = TodoList.objects.filter(owner=self.owner)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if name.casefold() in {other.casefold() for other in others.values_list("name", flat=True)}:
            raise ValidationError(DUPLICATE_LIST, code="duplicate")
        return name


class MoveForm(forms.Form):
    """Where a todo goes: a 0-based index in its list, or in another list of the owner's."""

    position = forms.IntegerField(min_value=0, max_value=settings.TODOS_PER_USER)
    list = forms.ModelChoiceField(queryset=TodoList.objects.none(), required=False)

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["list"].queryset = TodoList.objects.filter(owner=owner)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=TITLE_SEARCH_MAX_LENGTH, required=False, strip=True)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Exported file (JSON)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > settings.TODO_IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)s."),
                code="too_large",
                params={"limit": filesizeformat(settings.TODO_IMPORT_MAX_BYTES)},
            )
        return file
