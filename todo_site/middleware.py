from django.core.exceptions import BadRequest


class Utf8FormBodyMiddleware:
    """Refuse, with a 400, a form-encoded body that is not valid UTF-8.

    Django reads such a body as Latin-1, so its bytes would be stored as if they had been typed.
    (Percent-encoded bytes that are not UTF-8 decode to U+FFFD instead, which the forms refuse.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.content_type == "application/x-www-form-urlencoded":
            try:
                request.body.decode()
            except UnicodeDecodeError:
                raise BadRequest("The form data is not UTF-8.") from None
        return self.get_response(request)
