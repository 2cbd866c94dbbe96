"""Email services (ESPs) through django-anymail: webhook events into the one pipeline, and sending runs."""
