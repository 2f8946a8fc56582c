"""
Lambda SnapStart's runtime hooks: what the snapshot holds, and what each restored instance renews.

With SnapStart (the production stage's `snap_start`), Lambda initialises the function once when
a version is published, runs the before-snapshot hooks, and snapshots the interpreter; every new
instance is that snapshot restored, after the after-restore hooks run (10 s at most). The
production settings import this module, so the hooks are registered during that initialisation
(Zappa builds the Django application at import when INSTANTIATE_LAMBDA_HANDLER_ON_IMPORT is set).

- `prime` (before the snapshot) loads what every request needs but would otherwise load on an
  instance's first request: every template compiled (the form widgets' too); every URL reversed in
  both languages under the site's prefix, which builds the resolvers (the namespaces' own too) and
  compiles the regular expressions reverse() checks each URL against; each model's SQL built but
  not sent, which fills the caches of its metadata; both languages' catalogues and formats; the
  regular expressions Django compiles on first use; the static files' manifest; the password
  hasher's library; the OpenSSL that libpq uses, initialised as libpq would on the first connection
  (psycopg2-binary's own copy, reached with ctypes: libpq has no call for it) and, with IAM database
  authentication, the signer's session (no credentials resolved: the restored instance's are its
  own). It opens no database connection, and closes
  any that initialisation opened: a connection in the snapshot would be one socket shared by
  every restored instance.
  Then it rehearses one request that needs no database, the log-in page through Django's WSGI
  handler at the site's address (SITE_URL, whose path is the script prefix links are reversed
  under), so that the code only a first request runs (the middleware's, the form's, the template
  engine's, gzip's) is in the snapshot too; nothing of it is kept (no session is saved, the CSRF
  token it made is not stored). Last, it freezes the garbage collector's objects, as Python's
  documentation advises before a fork: a collection in a restored instance then skips everything
  the snapshot holds instead of touching (and so loading) each of its pages.
- `renew` (after each restore) re-seeds `random`, whose state would otherwise be the same in
  every instance, and the random generators of both OpenSSLs (libpq's, which priming initialised,
  and Python's, which it made: AWS's APIs are reached through it), which re-seed themselves after a
  fork but not after a restore; and drops any database connection captured. The site's secrets (session keys,
  CSRF tokens, reset tokens) come from `secrets`, which reads the operating system's randomness at
  each call, so no instance shares them; the function's credentials and SECRET_KEY come from its
  environment, which Lambda provides to the restored instance.

What a snapshot cannot renew: the interpreter's string hash seed (PYTHONHASHSEED) is chosen at
start and is the same in every instance restored from one snapshot.
"""

import contextlib
import ctypes
import functools
import gc
import io
import logging
import os
import random
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

try:
    # Provided by Lambda's Python runtime (installed from PyPI's snapshot-restore-py for the tests).
    from snapshot_restore_py import register_after_restore, register_before_snapshot
except ImportError:  # any other runtime: no snapshot, nothing calls the hooks

    def register_before_snapshot(function, *args, **kwargs):
        return function

    register_after_restore = register_before_snapshot

logger = logging.getLogger(__name__)

OPENSSL_INIT_LOAD_CONFIG = 0x40  # openssl/crypto.h, what libpq passes to OPENSSL_init_ssl


def template_names(engine=None):
    """The names of every template an engine finds (by default, every engine of the site: its own templates and
    its apps'), as get_template() takes them."""
    from django.template import engines

    names = set()
    for backend in [engine] if engine else engines.all():
        for folder in backend.template_dirs:
            names.update(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
    return sorted(names)


def compile_templates():
    """Compile every template of the site, and the form widgets' templates, which forms render through an engine
    of their own (the form renderer's)."""
    from django.forms.renderers import get_default_renderer
    from django.template.loader import get_template

    for name in template_names():
        get_template(name)
    renderer = get_default_renderer()
    if engine := getattr(renderer, "engine", None):  # TemplatesSetting's forms use the site's engines
        for name in template_names(engine):
            if name.startswith("django/forms/"):
                renderer.get_template(name)


def url_resolvers():
    """The site's URL resolver and every one it includes."""
    from django.urls import URLResolver, get_resolver

    resolvers = [get_resolver()]
    for resolver in resolvers:
        resolvers.extend(pattern for pattern in resolver.url_patterns if isinstance(pattern, URLResolver))
    return resolvers


SAMPLES = ("1", "a", "00000000-0000-0000-0000-000000000000")


def sample(converter):
    """A value the path converter takes (the first of SAMPLES its pattern matches), or None."""
    for text in SAMPLES:
        if re.fullmatch(converter.regex, text):
            return converter.to_python(text)
    return None


def url_names(resolver=None, namespace=""):
    """(name, kwargs) of each named URL of the site, namespaced ones too ("todos:edit", {"pk": 1}), with a sample
    value for each parameter; those with a parameter that no converter describes (re_path's) are left out."""
    from django.urls import get_resolver

    resolver = resolver or get_resolver()
    names = []
    for name in resolver.reverse_dict:
        if not isinstance(name, str):
            continue  # the view itself, under which reverse_dict also files each URL
        for possibilities, _, _, converters in resolver.reverse_dict.getlist(name):
            for _, parameters in possibilities:
                kwargs = {parameter: sample(converters[parameter]) if parameter in converters else None
                          for parameter in parameters}  # fmt: skip
                if None not in kwargs.values():
                    names.append((namespace + name, kwargs))
    for name, (_, included) in resolver.namespace_dict.items():
        names.extend(url_names(included, f"{namespace}{name}:"))
    return names


@contextlib.contextmanager
def script_prefix(prefix):
    """Reverse URLs under `prefix`, as a request at SITE_URL does (the regular expressions reverse() checks a URL
    against include the prefix)."""
    from django.urls import get_script_prefix, set_script_prefix

    previous = get_script_prefix()
    set_script_prefix(prefix)
    try:
        yield
    finally:
        set_script_prefix(previous)


def reverse_every_url():
    """Reverse each URL of the site: reverse() builds, on its first use for a namespace, a resolver of its own,
    and compiles, for each URL, the regular expression it checks the URL against."""
    from django.urls import NoReverseMatch, reverse

    for name, kwargs in url_names():
        with contextlib.suppress(NoReverseMatch):
            reverse(name, kwargs=kwargs)


def compile_queries():
    """Build, without sending it, the SQL that looks up each model by primary key, and make the managers of each
    model's reverse relations (todo_list.todos, ...): what Django caches on a model's first query."""
    from django.apps import apps

    for model in apps.get_models():
        queryset = model._default_manager.filter(pk=1)
        queryset.query.get_compiler(queryset.db).as_sql()
        for relation in model._meta.related_objects:
            accessor = relation.get_accessor_name()
            getattr(getattr(model, accessor, None) if accessor else None, "related_manager_cls", None)


def compile_lazy_expressions():
    """Compile the regular expressions that Django's modules leave to be compiled on first use (those of
    django.utils.regex_helper's _lazy_re_compile); the number compiled."""
    from django.utils.functional import SimpleLazyObject, empty

    compiled = 0
    for module in list(sys.modules.values()):
        for value in list(vars(module).values()) if module else ():
            if (
                isinstance(value, SimpleLazyObject)
                and value._wrapped is empty
                and getattr(value._setupfunc, "__qualname__", "").startswith("_lazy_re_compile.")
            ):
                value._setup()
                compiled += 1
    return compiled


@functools.cache
def tls_library():
    """The path of the OpenSSL library (libssl) that libpq uses, as this process has loaded it, or None: the one
    beside libpq (psycopg2-binary bundles its own, apart from Python's), else the only one loaded."""
    import psycopg2  # noqa: F401 (loads libpq and the libraries it links)

    loaded = {Path(field) for field in Path("/proc/self/maps").read_text().split() if field.startswith("/")}
    libpq = [path for path in loaded if path.name.startswith(("libpq.", "libpq-"))]
    libssl = [path for path in loaded if path.name.startswith("libssl")]
    beside = [path for path in libssl if libpq and path.parent == libpq[0].parent]
    if beside:
        return beside[0]
    return libssl[0] if len(libssl) == 1 else None


@functools.cache
def libpq_openssl():
    """libpq's OpenSSL (its libssl, through which its libcrypto's functions are found too), with the signatures
    of the functions called here, or None."""
    path = tls_library()
    if path is None:
        return None
    libssl = ctypes.CDLL(str(path))
    libssl.TLS_method.restype = ctypes.c_void_p
    libssl.SSL_CTX_new.restype = ctypes.c_void_p
    libssl.SSL_CTX_new.argtypes = [ctypes.c_void_p]
    libssl.SSL_CTX_free.argtypes = [ctypes.c_void_p]
    libssl.RAND_add.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_double]
    return libssl


def prepare_tls():
    """Initialise the OpenSSL that libpq uses, as libpq does on a process's first TLS connection: load its
    configuration, then make (and free) one TLS context, which finds and caches its algorithms. Without it, a
    restored instance's first connection to RDS Proxy does it. The library's path, or None if there is none.

    Making a context draws from OpenSSL's random generator, which is then seeded and in the snapshot: renew()
    re-seeds it in each restored instance (reseed_openssl)."""
    libssl = libpq_openssl()
    if libssl is None:
        return None
    libssl.OPENSSL_init_ssl(ctypes.c_uint64(OPENSSL_INIT_LOAD_CONFIG), None)
    libssl.SSL_CTX_free(libssl.SSL_CTX_new(libssl.TLS_method()))
    return tls_library()


def reseed_openssl():
    """Re-seed the random generators of the OpenSSLs loaded (libpq's, and Python's own for ssl) from the
    operating system: the number re-seeded.

    OpenSSL seeds its generator once and re-seeds it when the process id changes, which a fork does and a
    restore from a snapshot does not: every restored instance would otherwise draw the same TLS keys and
    nonces. RAND_add re-seeds the primary generator (with fresh entropy from the system, the bytes given
    mixed in), and the generators that TLS draws from re-seed from it before their next use."""
    seed = os.urandom(32)
    reseeded = 0
    libssl = libpq_openssl() if "psycopg2" in sys.modules else None
    if libssl is not None:
        libssl.RAND_add(seed, len(seed), float(len(seed)))
        reseeded += 1
    if ssl := sys.modules.get("ssl"):
        ssl.RAND_add(seed, float(len(seed)))
        reseeded += 1
    return reseeded


def close_connections():
    """Close every database connection this process opened; the number closed."""
    from django.db import connections

    opened = [connection for connection in connections.all(initialized_only=True) if connection.connection]
    for connection in opened:
        connection.close()
    return len(opened)


@register_before_snapshot
def prime():
    from django.conf import settings
    from django.contrib.auth.hashers import get_hasher
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db import connection
    from django.utils import formats, translation

    closed = close_connections()
    if closed:
        logger.warning("SnapStart: %d database connection(s) opened during initialisation, closed.", closed)
    compile_templates()
    compile_queries()
    resolvers = url_resolvers()  # imports every view module
    for language, _ in settings.LANGUAGES:
        with translation.override(language), script_prefix(urlsplit(settings.SITE_URL).path):
            translation.gettext("Todos")
            for resolver in resolvers:
                resolver.reverse_dict  # noqa: B018 (built per language, as reverse() first needs it)
            reverse_every_url()
            for name in formats.FORMAT_SETTINGS:
                formats.get_format(name, language)
    staticfiles_storage.url  # noqa: B018 (builds the storage: a manifest storage reads its manifest)
    get_hasher().verify("", get_hasher().encode("", get_hasher().salt()))
    if connection.vendor == "postgresql":  # Django's wrapper only: no connection is opened
        prepare_tls()
    if ssl := sys.modules.get("ssl"):  # botocore's, for AWS's APIs: its generator is made on first use, ~1 ms
        ssl.RAND_bytes(1)
    if settings.DATABASES["default"]["ENGINE"] == "todo_site.db":
        from todo_site.db import iam

        iam.prepare()
    status = rehearse()
    if status != "200 OK":
        logger.warning("SnapStart: the rehearsed log-in page answered %s; the snapshot is less primed.", status)
    compile_lazy_expressions()  # of every module imported by now
    # The rehearsal needs no database; should it ever use one, CONN_MAX_AGE would keep that connection open.
    close_connections()
    gc.collect()
    gc.freeze()


def rehearse():
    """GET the log-in page through Django's WSGI handler, as a browser would at SITE_URL; its status."""
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import get_script_prefix, reverse
    from django.utils import translation

    site = urlsplit(settings.SITE_URL)
    host = next((host.lstrip(".") for host in settings.ALLOWED_HOSTS if host.strip(".*")), "localhost")
    script_name = site.path.rstrip("/")
    with script_prefix("/"):
        path = reverse("login")
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "HTTP_HOST": host,
        "HTTP_ACCEPT": "text/html",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    statuses = []
    # Django's locale middleware activates the request's language and leaves it active.
    # Django's WSGI handler sets the script prefix from SCRIPT_NAME: it is put back afterwards.
    with translation.override(None), script_prefix(get_script_prefix()):
        response = get_wsgi_application()(environ, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(response)
        response.close()
    return statuses[0]


@register_after_restore
def renew():
    random.seed()
    reseed_openssl()
    closed = close_connections()
    if closed:
        logger.warning("SnapStart: %d database connection(s) captured in the snapshot, closed.", closed)
