"""Helpers for views of every app."""

import ipaddress

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
