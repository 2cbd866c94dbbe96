import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bounceportal.settings")
application = get_wsgi_application()

# Before the worker takes its first request: the URL tables and the compiled templates that request would
# otherwise build on a user's time (bounceportal/warmup.py).
from bounceportal.warmup import warm_up  # noqa: E402 (needs the apps loaded above)

warm_up()
