"""The site under measurement: PostgreSQL behind RDS Proxy's stand-in, the S3 API, and signed-in users with
their todos.

As on AWS, the function reaches the database through a pool over TLS (PgBouncer, local_aws/database.py):
a new instance's first connection costs a TLS handshake, not a new PostgreSQL server process and its
empty caches, which the proxy's pooled connections spare a Lambda instance.

The database is migrated through the packaged function itself (its `manage` event, as an
operator would), the bucket filled by collectstatic as the deployer runs it (the function's role
may not write it), the users and todos made through the ORM of this process, with the function's
secret key so that their session cookies are valid for the function.
"""

import json
import os

from deploy.collectstatic import collectstatic
from deploy.collectstatic import environment as collectstatic_environment
from local_aws.database import PgBouncer
from local_aws.events import api_host
from local_aws.runtime import LocalFunction
from local_aws.stage import Stage, create_database, drop_database, local_secrets

from .packages import REMOTE_ENV_BUCKET, REMOTE_ENV_KEY, STAGE

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/todo_bench"
# Server connections of the proxy's stand-in: the bench runs one request at a time, and its own process holds one.
PROXY_POOL = 4


class Site:
    def __init__(self, s3, database_url):
        self.stage = Stage(STAGE)
        self.host = api_host(self.stage.region)
        self.s3 = s3
        self.database_url = database_url
        drop_database(database_url)
        create_database(database_url)
        self.proxy = PgBouncer(database_url, pool_size=PROXY_POOL).start()
        self.secrets = local_secrets(self.proxy.url)
        self.stage.provide_s3(s3)
        client = s3.client()
        client.create_bucket(Bucket=REMOTE_ENV_BUCKET)
        client.put_object(Bucket=REMOTE_ENV_BUCKET, Key=REMOTE_ENV_KEY, Body=json.dumps(self.secrets).encode())

    def environment(self, *, remote_env=False):
        """The function's environment; with remote_env its secrets wait in S3, where Zappa fetches them."""
        return self.stage.function_environment(self.s3.url, {} if remote_env else self.secrets)

    def install(self, task_root):
        """migrate through the function's manage event; collectstatic as the deployer."""
        function = LocalFunction(task_root, self.environment())
        try:
            function.invoke({"manage": "migrate --noinput"}).check()
        finally:
            function.close()
        collectstatic(collectstatic_environment(self.stage, **self.environment()))

    def setup_django(self):
        """Django in this process, with the function's settings, secrets and database."""
        os.environ.update(self.environment())
        os.environ["DJANGO_SETTINGS_MODULE"] = "todo_site.settings.production"
        import django

        django.setup()

    def signed_in_user(self, email, todos):
        """A user with `todos` todos, and the Cookie header of a browser signed in as them."""
        from django.test import Client

        from accounts.models import User
        from todos.models import Todo

        user = User.objects.create_user(email=email)
        Todo.objects.bulk_create(
            Todo(owner=user, title=f"Todo number {number}: something to do", completed=number % 3 == 0)
            for number in range(todos)
        )
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}"

    def event(self, path, cookie, **headers):
        sent = [("Cookie", cookie), ("Accept", "text/html"), *headers.items()]
        return self.stage.api_event("GET", path, stage=STAGE, host=self.host, headers=sent)

    def close(self):
        from django.db import connections

        connections.close_all()
        self.proxy.stop()
        drop_database(self.database_url)
