from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="contacts:learner-list"), name="portal-home"),
    path("", include("contacts.auth_urls")),  # accounts/login/, invitation/, password-reset/ (rate-limited)
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("", include("contacts.urls")),  # learners/… and settings/…
    path("", include("campaigns.urls")),  # campaigns/… and settings/mailboxes/…
    path("reports/", include("reports.urls")),
    path("", include("reports.api.urls")),  # api/v1/… and settings/api-keys/…
    path("admin/", admin.site.urls),
    path("", include("campaigns.tracking_urls")),
    path("", include("reports.ops.urls")),  # healthz, readyz, metrics
]

admin.site.site_header = "BouncePortal — customer experience"
admin.site.site_title = "BouncePortal admin"
