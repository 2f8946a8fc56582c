from django.core.management.base import BaseCommand

from accounts.models import LoginThrottle


class Command(BaseCommand):
    help = (
        "Delete the log-in throttles that no longer lock or count anything. Every address ever typed "
        "with a wrong password leaves one, so this keeps the table from growing without bound."
    )

    def handle(self, *args, **options):
        deleted, _ = LoginThrottle.objects.expired().delete()
        self.stdout.write(f"{deleted} expired log-in throttle(s) deleted.")
