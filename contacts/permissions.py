"""Who may change what in the portal: admins change settings and see raw messages; viewers read."""

from django.core.exceptions import PermissionDenied

from contacts.choices import MemberRole


def is_org_admin(request) -> bool:
    """True when the portal user is an admin of their organization."""
    membership = getattr(request, "membership", None)
    return membership is not None and membership.role == MemberRole.ADMIN


class AdminRequiredForPostMixin:
    """Viewers may look (GET) but every POST from them is refused with a 403."""

    def dispatch(self, request, *args, **kwargs):
        if (
            request.method == "POST"
            and request.user.is_authenticated
            and request.membership
            and not is_org_admin(request)
        ):
            raise PermissionDenied("Only organization admins may change settings.")
        return super().dispatch(request, *args, **kwargs)
