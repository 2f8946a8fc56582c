"""Exit 0 when the PostgreSQL server of a DATABASE_URL accepts connections, else print why and exit 1."""

import sys

import environ
import psycopg2


def main(url):
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        print(f"Not a PostgreSQL URL: {config['ENGINE']}", file=sys.stderr)
        return 1
    try:
        psycopg2.connect(
            dbname="postgres",
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            connect_timeout=3,
        ).close()
    except psycopg2.OperationalError as error:
        print(f"PostgreSQL is not reachable: {error}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
