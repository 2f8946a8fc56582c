"""Helpers for views of every app."""

import base64
import ipaddress
import json
from functools import wraps

from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}

# Where an address of the wrong form would have been: never the address of a real client.
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a value, not an address to bind


def client_address(request):
    """The client's address as the edge saw it: a value the client cannot write.

    On Lambda, Zappa hands Django the API Gateway event as request.META["lambda.event"]; its
    requestContext holds the address API Gateway saw the connection come from, `identity.sourceIp`
    for a REST API and `http.sourceIp` for an HTTP API. REMOTE_ADDR there is Zappa's pick from
    X-Forwarded-For, which a client can write. Anywhere else (runserver, the test client)
    REMOTE_ADDR is the connection's own peer.
    """
    event = request.META.get("lambda.event")
    if event is not None:
        context = event.get("requestContext") or {}
        address = (context.get("http") or context.get("identity") or {}).get("sourceIp")
    else:
        address = request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return UNKNOWN_ADDRESS


class NotFound(Http404):
    """A 404 whose message is for the visitor: the error page's JSON answer carries it."""


def wants_json(request):
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def safe_next(request):
    """Where the user came from, if it is inside the site: the `next` field, else the Referer."""
    for url in (request.POST.get("next"), request.GET.get("next"), request.headers.get("referer")):
        if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
            return url
    return None


def form_posts(view):
    """Refuse a POST whose body is not form-encoded (JSON, say): its fields would read as missing."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and request.content_type not in FORM_CONTENT_TYPES:
            raise BadRequest("The body of a POST must be form-encoded.")
        return view(request, *args, **kwargs)

    return wrapper


def lambda_payload_bytes(response):
    """How large the response's body is once a Lambda function hands it to API Gateway, at the most: as JSON text
    with every character outside ASCII escaped (Lambda's serialiser), or base64 (Zappa's binary support)."""
    body = response.content
    try:
        as_text = len(json.dumps(body.decode()))
    except UnicodeDecodeError:
        as_text = 0
    return max(as_text, len(base64.b64encode(body)))
