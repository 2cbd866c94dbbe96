from django.urls import path

from campaigns import sending_views, views

app_name = "campaigns"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign-list"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run-detail"),
    path("<int:pk>/runs/new/", sending_views.RunCreateView.as_view(), name="run-create"),
]
