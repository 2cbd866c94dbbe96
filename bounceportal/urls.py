from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="contacts:learner-list"), name="portal-home"),
    path("", include("contacts.auth_urls")),  # accounts/login/ (takes a new organization's time zone)
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Forgotten passwords: Django's own views and one-time tokens (PASSWORD_RESET_TIMEOUT);
    # the form answers the same whether or not the address belongs to a user.
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
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
