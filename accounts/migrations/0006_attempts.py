from django.db import migrations, models


class Migration(migrations.Migration):
    """Failed log-ins become one kind of counted attempt, beside sign-ups, password resets and password checks."""

    dependencies = [
        ("accounts", "0005_login_failures"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="loginfailure", name="accounts_failure_address_idx"),
        migrations.RemoveIndex(model_name="loginfailure", name="accounts_failure_key_idx"),
        migrations.RemoveIndex(model_name="loginfailure", name="accounts_failure_at_idx"),
        migrations.RenameModel(old_name="LoginFailure", new_name="Attempt"),
        migrations.AlterModelOptions(
            name="attempt",
            options={"verbose_name": "counted attempt", "verbose_name_plural": "counted attempts"},
        ),
        migrations.AddField(
            model_name="attempt",
            name="action",
            field=models.CharField(
                choices=[
                    ("login", "failed log-in"),
                    ("signup", "sign-up"),
                    ("signup_taken", "sign-up with a taken address"),
                    ("password_reset", "password reset asked for"),
                    ("password_check", "wrong current password"),
                ],
                default="login",
                max_length=20,
                verbose_name="action",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="attempt",
            name="device",
            field=models.CharField(
                blank=True,
                help_text="The device cookie the attempt came with, if any.",
                max_length=32,
                verbose_name="device",
            ),
        ),
        migrations.AlterField(
            model_name="attempt",
            name="key",
            field=models.CharField(blank=True, max_length=254, verbose_name="address key"),
        ),
        migrations.AlterField(
            model_name="attempt",
            name="address",
            field=models.GenericIPAddressField(
                help_text="An IPv6 address stands for its /64.", verbose_name="client address"
            ),
        ),
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(fields=["action", "key", "at"], name="accounts_attempt_key_idx"),
        ),
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(fields=["action", "address", "at"], name="accounts_attempt_address_idx"),
        ),
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(fields=["at"], name="accounts_attempt_at_idx"),
        ),
    ]
