from django.core.management.base import BaseCommand

from accounts.models import LoginFailure


class Command(BaseCommand):
    help = (
        "Delete the failed log-ins older than a day, which no longer refuse or count toward anything. Every "
        "address ever typed with a wrong password leaves some, so this keeps the table from growing without bound. "
        "Locked accounts stay locked until their password is reset."
    )

    def handle(self, *args, **options):
        deleted, _ = LoginFailure.objects.expired().delete()
        self.stdout.write(f"{deleted} expired failed log-in(s) deleted.")
