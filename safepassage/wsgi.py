"""The WSGI application gunicorn serves."""

import os

from django.core.wsgi import get_wsgi_application

from safepassage.core.env import PRIVATE_UMASK

os.umask(PRIVATE_UMASK)  # files made while serving (SQLite's -wal, uploads, exports) are private
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safepassage.settings")
application = get_wsgi_application()

from safepassage.core.crypto import check_keys  # noqa: E402

check_keys()  # a wrong or missing key stops the server before it answers anything
