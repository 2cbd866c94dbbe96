"""The organization's REST API (Django REST framework, schema by drf-spectacular) and its API keys."""
