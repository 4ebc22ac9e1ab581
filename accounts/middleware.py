"""Session limits: SESSION_IDLE_MINUTES without a request, SESSION_MAX_HOURS after login.

Django's cookie age alone gives the idle limit only while the cookie is renewed; the absolute
limit needs the login time, which this keeps in the session. The time of the last request is
written at most every SESSION_TOUCH_SECONDS (which also renews the cookie): a session is not
rewritten on every page, so reading a list costs no write (on SQLite, no lock)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import AuditEvent

STARTED = "_session_started"
LAST_SEEN = "_session_last_seen"


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(STARTED, now)
            last_seen = request.session.get(LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_MINUTES * 60
            too_long = now - started > settings.SESSION_MAX_HOURS * 3600
            if idle or too_long:
                user = request.user
                record(request, AuditEvent.Kind.SESSION_EXPIRED, user=user, message="idle" if idle else "max_age")
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= settings.SESSION_TOUCH_SECONDS or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
