"""Public account URLs outside the contacts namespace: login (LOGIN_URL is the plain name ``login``),
the two-factor code step, password reset, invitation acceptance and the digest's one-click unsubscribe."""

from django.urls import path

from contacts.digest_views import DigestUnsubscribeView
from contacts.login_views import PortalLoginView
from contacts.member_views import InvitationAcceptView
from contacts.password_reset import PortalPasswordResetView
from contacts.two_factor_views import TwoFactorVerifyView

urlpatterns = [
    path("accounts/login/", PortalLoginView.as_view(), name="login"),
    # The login's second step for users with two-factor authentication (contacts/two_factor_gate.py).
    path("accounts/login/code/", TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    # Forgotten passwords: Django's own views and one-time tokens (PASSWORD_RESET_TIMEOUT); the
    # form answers the same whether or not the address belongs to a user, or is over its hourly cap.
    path("accounts/password-reset/", PortalPasswordResetView.as_view(), name="password_reset"),
    # The digest email's one-click unsubscribe (RFC 8058): the signed link is the credential, no login.
    path("digest/unsubscribe/<str:token>/", DigestUnsubscribeView.as_view(), name="digest-unsubscribe"),
    path("accounts/invitation/<str:token>/", InvitationAcceptView.as_view(), name="invitation-accept"),
]
