from django.urls import path

from contacts import (
    bulk_clear_views,
    digest_views,
    import_views,
    language_views,
    member_views,
    never_suppress_views,
    settings_views,
    two_factor_views,
    views,
    webhook_views,
)

app_name = "contacts"

urlpatterns = [
    path("learners/", views.LearnerListView.as_view(), name="learner-list"),
    path("learners/clear/", bulk_clear_views.LearnerBulkClearView.as_view(), name="learner-bulk-clear"),
    path(
        "learners/clear/<int:pk>/",
        bulk_clear_views.LearnerBulkClearConfirmView.as_view(),
        name="learner-bulk-clear-confirm",
    ),
    path(
        "learners/clear/<int:pk>/progress/",
        bulk_clear_views.LearnerBulkClearProgressView.as_view(),
        name="learner-bulk-clear-progress",
    ),
    path("learners/import/", import_views.LearnerImportView.as_view(), name="learner-import"),
    path("learners/import/<int:pk>/", import_views.LearnerImportMappingView.as_view(), name="learner-import-mapping"),
    path(
        "learners/import/<int:pk>/preview/",
        import_views.LearnerImportPreviewView.as_view(),
        name="learner-import-preview",
    ),
    path(
        "learners/import/<int:pk>/progress/",
        import_views.LearnerImportProgressView.as_view(),
        name="learner-import-progress",
    ),
    path(
        "learners/import/<int:pk>/report/", import_views.LearnerImportReportView.as_view(), name="learner-import-report"
    ),
    path("learners/<int:pk>/", views.LearnerDetailView.as_view(), name="learner-detail"),
    path("learners/<int:pk>/edit/", views.LearnerEditView.as_view(), name="learner-edit"),
    path("language/", language_views.LanguageView.as_view(), name="language"),
    path("settings/", settings_views.SettingsIndexView.as_view(), name="settings"),
    path("settings/policy/", settings_views.PolicySettingsView.as_view(), name="settings-policy"),
    path("settings/sending/", settings_views.SendingSettingsView.as_view(), name="settings-sending"),
    path("settings/automation/", settings_views.AutomationSettingsView.as_view(), name="settings-automation"),
    path(
        "settings/never-suppress/",
        never_suppress_views.NeverSuppressSettingsView.as_view(),
        name="settings-never-suppress",
    ),
    path(
        "settings/never-suppress/import/",
        never_suppress_views.NeverSuppressImportView.as_view(),
        name="settings-never-suppress-import",
    ),
    path(
        "settings/never-suppress/<int:pk>/remove/",
        never_suppress_views.NeverSuppressRemoveView.as_view(),
        name="settings-never-suppress-remove",
    ),
    path("settings/digest/", digest_views.DigestSettingsView.as_view(), name="settings-digest"),
    path("settings/security/", two_factor_views.TwoFactorRuleSettingsView.as_view(), name="settings-security"),
    # The user's own two-factor authentication (any logged-in user, staff without an organization too).
    path("account/two-factor/", two_factor_views.TwoFactorView.as_view(), name="two-factor"),
    path("account/two-factor/set-up/", two_factor_views.TwoFactorEnrolView.as_view(), name="two-factor-enrol"),
    path(
        "account/two-factor/backup-codes/",
        two_factor_views.TwoFactorBackupCodesView.as_view(),
        name="two-factor-backup-codes",
    ),
    path("account/two-factor/turn-off/", two_factor_views.TwoFactorRemoveView.as_view(), name="two-factor-remove"),
    path("settings/members/", member_views.MemberListView.as_view(), name="member-list"),
    path("settings/members/<int:pk>/", member_views.MemberDetailView.as_view(), name="member-detail"),
    path(
        "settings/members/<int:pk>/deactivate/", member_views.MemberDeactivateView.as_view(), name="member-deactivate"
    ),
    path(
        "settings/members/<int:pk>/reactivate/", member_views.MemberReactivateView.as_view(), name="member-reactivate"
    ),
    *[
        path(
            f"settings/members/invitations/<int:pk>/{action}/",
            member_views.InvitationActionView.as_view(action=action),
            name=f"invitation-{action}",
        )
        for action in ("revoke", "resend")
    ],
    path("settings/webhooks/", webhook_views.WebhookListView.as_view(), name="webhook-list"),
    path("settings/webhooks/<int:pk>/", webhook_views.WebhookDetailView.as_view(), name="webhook-detail"),
    *[
        path(
            f"settings/webhooks/<int:pk>/{action}/",
            webhook_views.WebhookActionView.as_view(action=action),
            name=f"webhook-{action}",
        )
        for action in ("rotate", "enable", "disable", "test", "delete")
    ],
    path(
        "settings/automation/<int:pk>/toggle/",
        settings_views.AutomationRuleToggleView.as_view(),
        name="settings-automation-toggle",
    ),
    path(
        "settings/automation/<int:pk>/delete/",
        settings_views.AutomationRuleDeleteView.as_view(),
        name="settings-automation-delete",
    ),
]
