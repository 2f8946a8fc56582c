from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BLANK_TITLE, TITLE_MAX_LENGTH


class TodoForm(forms.Form):
    title = forms.CharField(
        label=_("New todo"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": BLANK_TITLE},
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
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        required=False,
        help_text=_("Clear the title to delete the todo."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class CompletedForm(forms.Form):
    """The completed flag sent by the toggle buttons; a toggle without it flips the todo."""

    completed = forms.NullBooleanField(required=False)
