from django.core.management.base import BaseCommand

from accounts.models import Attempt, LoginLock


class Command(BaseCommand):
    help = (
        "Delete the counted attempts (failed log-ins, sign-ups, password resets) older than the longest throttle "
        "window, and the account locks that have lapsed: neither refuses or counts toward anything any more. Every "
        "address ever typed with a wrong password leaves some, so this keeps the tables from growing without bound."
    )

    def handle(self, *args, **options):
        attempts, _ = Attempt.objects.expired().delete()
        locks, _ = LoginLock.objects.expired().delete()
        self.stdout.write(f"{attempts} expired attempt(s) and {locks} lapsed lock(s) deleted.")
