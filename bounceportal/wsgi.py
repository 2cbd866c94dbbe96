import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bounceportal.settings")
application = get_wsgi_application()

# Before the worker takes its first request: the URL tables and the compiled templates that request would
# otherwise build on a user's time, then those start-up objects kept out of the collector's full passes
# (bounceportal/warmup.py).
from bounceportal.warmup import freeze_start_up_objects, warm_up  # noqa: E402 (needs the apps loaded above)

warm_up()
freeze_start_up_objects()
