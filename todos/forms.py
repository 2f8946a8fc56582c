from django import forms
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


class CompletedForm(forms.Form):
    """The completed flag sent by the toggle buttons; a toggle without it flips the todo."""

    completed = forms.NullBooleanField(required=False)
