"""Login lockouts (django-axes) in the Django admin: who is locked out, and an "Unlock" action.

Axes counts failed logins per account and per client address (settings: "Login throttling").
Support staff with ``axes.delete_accessattempt`` (the Customer experience group has it) unlock
an account or an address by removing its failure records; the admin's history logs who did.
"""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


@admin.register(AccessAttempt)
class LoginLockoutAdmin(AccessAttemptAdmin):
    actions = ["unlock", "cleanup_expired_attempts"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Unlock the selected accounts and addresses"), permissions=["delete"])
    def unlock(self, request, queryset):
        attempts = list(queryset)
        self.log_deletions(request, attempts)
        AccessAttempt.objects.filter(pk__in=[attempt.pk for attempt in attempts]).delete()
        who = ", ".join(sorted({attempt.username or attempt.ip_address or "?" for attempt in attempts}))
        messages.success(
            request,
            ngettext(
                "Unlocked %(count)s login record: %(who)s. They may log in again now.",
                "Unlocked %(count)s login records: %(who)s. They may log in again now.",
                len(attempts),
            )
            % {"count": len(attempts), "who": who},
        )
