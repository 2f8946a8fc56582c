from django import forms

from .models import TITLE_MAX_LENGTH


class TodoForm(forms.Form):
    title = forms.CharField(
        label="New todo",
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": "Write something to do."},
        widget=forms.TextInput(
            attrs={
                "class": "new-todo",
                "placeholder": "What needs to be done?",
                "autofocus": True,
                "autocomplete": "off",
            }
        ),
    )


class TodoEditForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX_LENGTH,
        required=False,
        help_text="Clear the title to delete the todo.",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class CompletedForm(forms.Form):
    """The completed flag sent by the toggle buttons; a toggle without it flips the todo."""

    completed = forms.NullBooleanField(required=False)
