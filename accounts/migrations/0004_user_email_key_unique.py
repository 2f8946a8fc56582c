from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_email_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="email_key",
            field=models.CharField(
                editable=False,
                error_messages={"unique": "An account with this e-mail address already exists."},
                help_text="The address in the one spelling that identifies the account (see accounts.models.email_key).",
                max_length=254,
                unique=True,
                verbose_name="address key",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="user",
            name="accounts_user_email_ci_unique",
        ),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                help_text="As typed; the account's address for e-mails.",
                max_length=254,
                unique=True,
                verbose_name="email address",
            ),
        ),
    ]
