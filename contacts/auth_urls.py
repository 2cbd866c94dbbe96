"""The portal's login URL, outside the contacts namespace: LOGIN_URL is the plain name ``login``."""

from django.urls import path

from contacts.login_views import PortalLoginView

urlpatterns = [path("accounts/login/", PortalLoginView.as_view(), name="login")]
