from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from reports.api import portal_views, views

app_name = "api"

router = SimpleRouter()
router.register("learners", views.LearnerViewSet, basename="learner")
router.register("events", views.BounceEventViewSet, basename="event")
router.register("runs", views.CampaignRunViewSet, basename="run")
router.register("never-suppress", views.NeverSuppressViewSet, basename="never-suppress")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("settings/api-keys/", portal_views.ApiKeyListView.as_view(), name="key-list"),
    path("settings/api-keys/<int:pk>/revoke/", portal_views.ApiKeyRevokeView.as_view(), name="key-revoke"),
]
