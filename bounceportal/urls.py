from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="contacts:learner-list"), name="portal-home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("contacts.urls")),  # learners/… and settings/…
    path("", include("campaigns.urls")),  # campaigns/… and settings/mailboxes/…
    path("reports/", include("reports.urls")),
    path("", include("api.urls")),  # api/v1/… and settings/api-keys/…
    path("admin/", admin.site.urls),
    path("", include("campaigns.tracking_urls")),
    path("", include("ops.urls")),  # healthz, readyz, metrics
]

admin.site.site_header = "BouncePortal — customer experience"
admin.site.site_title = "BouncePortal admin"
