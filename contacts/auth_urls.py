"""The portal's login URL, outside the contacts namespace: LOGIN_URL is the plain name ``login``."""

from django.urls import path

from contacts.login_views import PortalLoginView
from contacts.member_views import InvitationAcceptView

urlpatterns = [
    path("accounts/login/", PortalLoginView.as_view(), name="login"),
    path("accounts/invitation/<str:token>/", InvitationAcceptView.as_view(), name="invitation-accept"),
]
