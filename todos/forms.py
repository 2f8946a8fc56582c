from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Todo


def title_field(**kwargs):
    """The model's title as a form field: its length, its validators and its blank message.

    Like every form CharField it strips the title, which is the only place a title is stripped;
    the database's constraints refuse one that is not.
    """
    model_field = Todo._meta.get_field("title")
    field = model_field.formfield(error_messages={"required": model_field.error_messages["blank"]}, **kwargs)
    field.validators += [validator for validator in model_field.validators if validator not in field.validators]
    return field


class TodoForm(forms.Form):
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
    title = title_field(
        label=_("Title"),
        required=False,
        help_text=_("Clear the title to delete the todo."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )

    def clean(self):
        # An empty title deletes the todo, so a post without the field at all must not read as one.
        if self.is_bound and "title" not in self.data:
            self.add_error("title", ValidationError(_("Send the todo's title."), code="missing"))
        return super().clean()


class CompletedForm(forms.Form):
    """The completed flag sent by the toggle buttons, "true" or "false"; a toggle without it flips the todo."""

    completed = forms.TypedChoiceField(
        choices=[("true", "true"), ("false", "false")],
        coerce={"true": True, "false": False}.get,
        required=False,
        empty_value=None,
    )
