"""The site's administration: Django's admin, with the accounts' throttled log-in form."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts import devices
from accounts.forms import AdminLoginForm


class AdminSite(admin.AdminSite):
    site_header = _("Todo administration")
    site_title = _("Todo administration")
    login_form = AdminLoginForm

    def login(self, request, extra_context=None):
        """Django's admin log-in; a browser that logs in gets its device cookie, as at the site's log-in."""
        response = super().login(request, extra_context)
        if request.method == "POST" and response.status_code == 302 and request.user.is_authenticated:
            devices.remember(response, request.user.email_key)
        return response
