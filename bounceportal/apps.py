"""The Django admin's app config with the portal's own default site (bounceportal.admin_site)."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "bounceportal.admin_site.PortalAdminSite"
