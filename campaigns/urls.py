from django.urls import include, path

from campaigns import esp_views, guidance_views, mailbox_views, review_views, sending_views, views

app_name = "campaigns"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign-list"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run-detail"),
    path("inbound/<int:pk>/raw/", views.InboundRawView.as_view(), name="inbound-raw"),
    path("<int:pk>/runs/new/", sending_views.RunCreateView.as_view(), name="run-create"),
    path("<int:pk>/runs/schedule/", sending_views.RunScheduleView.as_view(), name="run-schedule"),
    path("runs/<int:pk>/cancel/", sending_views.RunCancelView.as_view(), name="run-cancel"),
    path("runs/<int:pk>/resume/", sending_views.RunResumeView.as_view(), name="run-resume"),
    path("sending-configurations/", guidance_views.GuidanceIndexView.as_view(), name="guidance-index"),
    path(
        "sending-configurations/authentication/",
        guidance_views.AuthenticationGuideView.as_view(),
        name="guidance-authentication",
    ),
    path("sending-configurations/<slug:slug>/", guidance_views.GuidanceDetailView.as_view(), name="guidance-detail"),
]

mailbox_urlpatterns = [
    path("", mailbox_views.MailboxListView.as_view(), name="mailbox-list"),
    path("new/", mailbox_views.MailboxCreateView.as_view(), name="mailbox-create"),
    path("<int:pk>/", mailbox_views.MailboxEditView.as_view(), name="mailbox-edit"),
    path("<int:pk>/test/", mailbox_views.MailboxTestView.as_view(), name="mailbox-test"),
]

esp_urlpatterns = [
    path("", esp_views.EspConnectionListView.as_view(), name="esp-list"),
    path("new/", esp_views.EspConnectionCreateView.as_view(), name="esp-create"),
    path("<int:pk>/", esp_views.EspConnectionEditView.as_view(), name="esp-edit"),
]

review_urlpatterns = [
    path("", review_views.InboundReviewListView.as_view(), name="review-list"),
    path("<int:pk>/", review_views.InboundReviewDetailView.as_view(), name="review-detail"),
]

# The app is mounted at the site root: campaign pages under campaigns/, its settings pages
# (bounce mailboxes, email services) under settings/, the review of unmatched mail under review/, all in the "campaigns" namespace.
urlpatterns = [
    path("campaigns/", include(urlpatterns)),
    path("settings/mailboxes/", include(mailbox_urlpatterns)),
    path("settings/email-services/", include(esp_urlpatterns)),
    path("review/", include(review_urlpatterns)),  # unmatched and unparseable mail, for admins
]
