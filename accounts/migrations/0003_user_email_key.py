import unicodedata
from collections import defaultdict

from django.core.management.base import CommandError
from django.db import migrations, models


def email_key(address):
    """accounts.models.email_key as it was when this migration was written: NFKC, then case-folded."""
    return unicodedata.normalize("NFKC", address.strip()).casefold()


def fill_email_keys(apps, schema_editor):
    """Give every account its address key; stop, naming them, if two accounts are one address spelled twice."""
    User = apps.get_model("accounts", "User")
    users = list(User.objects.order_by("pk"))
    spellings = defaultdict(list)
    for user in users:
        user.email_key = email_key(user.email)
        spellings[user.email_key].append(user)
    clashes = [same for same in spellings.values() if len(same) > 1]
    if clashes:
        listed = "; ".join(", ".join(f"{user.email} (id {user.pk})" for user in same) for same in clashes)
        raise CommandError(
            f"These accounts are one e-mail address spelled differently: {listed}. Change the address of all but "
            "one of each (in the admin or `manage.py shell` of the current release), then migrate again."
        )
    User.objects.bulk_update(users, ["email_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_throttle"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_key",
            field=models.CharField(editable=False, max_length=254, null=True, verbose_name="address key"),
        ),
        migrations.RunPython(fill_email_keys, migrations.RunPython.noop, elidable=False),
    ]
