"""SafePassage settings: one file, driven by the environment (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from safepassage.core.clients import parse_networks
from safepassage.core.env import (
    Env,
    EnvError,
    blind_index_key,
    data_dir,
    database,
    database_replica,
    encryption_keys,
    secret_key,
)

env = Env()

DATA_DIR = data_dir(env)
SECRET_KEY = secret_key(env, DATA_DIR)
# Encryption at rest (docs/operations.md): sensitive fields and private files are sealed under the first of
# ENCRYPTION_KEYS (the others are older keys, still read until `safepassage keys rotate` has re-sealed
# everything); ID numbers are found by a keyed hash under BLIND_INDEX_KEY, a key of its own.
ENCRYPTION_KEYS = encryption_keys(env, DATA_DIR)
BLIND_INDEX_KEY = blind_index_key(env, DATA_DIR)
if BLIND_INDEX_KEY in ENCRYPTION_KEYS:
    raise EnvError("BLIND_INDEX_KEY", "must not be one of ENCRYPTION_KEYS")
DEBUG = env.flag("DEBUG", False)
ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.items("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise EnvError("CSRF_TRUSTED_ORIGINS", f"{_origin!r} must start with http:// or https://")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "safepassage.core",
    "safepassage.audit",
    "safepassage.accounts",
    "safepassage.geo",
    "safepassage.registry",
    "safepassage.workplaces",
    "safepassage.network",
    "safepassage.reports",
    "safepassage.cases",
    "safepassage.migration",
    "safepassage.prevention",
    "safepassage.imports",
    "safepassage.exports",
    "safepassage.linkage",
    "safepassage.privacy",
    "safepassage.exchange",
    "safepassage.notify",
    "safepassage.web",
]

MIDDLEWARE = [
    # First: drop forwarded headers from untrusted peers, then refuse oversized bodies before anything
    # (sessions, CSRF) reads them.
    "safepassage.web.middleware.TrustedProxyMiddleware",
    "safepassage.web.middleware.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safepassage.audit.middleware.RequestContextMiddleware",
    # Each request reads the replica (reports, exports) until it first writes (safepassage/core/replica.py).
    "safepassage.core.replica.ReplicaScopeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "safepassage.web.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Everyone who signs in passes a second factor before any page; there is no setting to turn it off.
    "safepassage.accounts.middleware.SecondFactorMiddleware",
    "safepassage.web.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "safepassage.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "safepassage.urls"
WSGI_APPLICATION = "safepassage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safepassage.web.context.navigation",
                "safepassage.notify.context.bell",
            ],
        },
    },
]

DATABASES = {"default": database(env, DATA_DIR)}
_replica = database_replica(env, DATABASES["default"])
if _replica is not None:
    DATABASES["replica"] = _replica
# Report and export reads go to the replica, when there is one (safepassage/core/replica.py).
REPLICA_DATABASE = "replica" if _replica is not None else None
DATABASE_ROUTERS = ["safepassage.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "safepassage.accounts.backends.SignInBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sign-in limits (docs/operations.md, "Security settings"). Per account and client address: the first
# LOGIN_FREE_FAILURES wrong passwords cost nothing, then each waits twice as long as the last, from
# LOGIN_DELAY_SECONDS up to LOGIN_DELAY_MAX_SECONDS; a right password ends the wait. Per client address, over
# all accounts: LOGIN_ADDRESS_LIMIT wrong passwords in LOGIN_ADDRESS_MINUTES, then 429 until the window moves.
LOGIN_FREE_FAILURES = env.integer("LOGIN_FREE_FAILURES", 3, minimum=0)
LOGIN_DELAY_SECONDS = env.integer("LOGIN_DELAY_SECONDS", 5, minimum=1)
LOGIN_DELAY_MAX_SECONDS = env.integer("LOGIN_DELAY_MAX_SECONDS", 300, minimum=1)
LOGIN_ADDRESS_LIMIT = env.integer("LOGIN_ADDRESS_LIMIT", 100, minimum=1)
LOGIN_ADDRESS_MINUTES = env.integer("LOGIN_ADDRESS_MINUTES", 15, minimum=1)
# Wrong passwords for one account (from anywhere, since its last sign-in) that count as an attack: the owner
# is told at their next sign-in, the agency's administrators on the Team page, and the audit trail records it.
LOGIN_ALERT_FAILURES = env.integer("LOGIN_ALERT_FAILURES", 10, minimum=1)
# Days a shelter stay may last before it alerts (PRODUCT.md: stays are timed, shorter for children).
SHELTER_DAYS_CHILD = env.integer("SHELTER_DAYS_CHILD", 30, minimum=1)
SHELTER_DAYS_ADULT = env.integer("SHELTER_DAYS_ADULT", 90, minimum=1)
# Break-glass: hours an emergency access to a case outside one's scope stays open (at most 4).
BREAK_GLASS_HOURS = env.integer("BREAK_GLASS_HOURS", 4, minimum=1)
if BREAK_GLASS_HOURS > 4:
    raise EnvError("BREAK_GLASS_HOURS", "must be at most 4")
REFERRAL_WAIT_DAYS = env.integer("REFERRAL_WAIT_DAYS", 3, minimum=1)  # then the referral-waiting alert
API_TOKEN_DAYS = env.integer("API_TOKEN_DAYS", 30, minimum=1)
# "Trust this phone": days a phone may skip the second factor (at most 90; it can be forgotten at any time).
TRUSTED_BROWSER_DAYS = env.integer("TRUSTED_BROWSER_DAYS", 30, minimum=1)
if TRUSTED_BROWSER_DAYS > 90:
    raise EnvError("TRUSTED_BROWSER_DAYS", "must be at most 90")
OTP_TOTP_ISSUER = "SafePassage"  # the name authenticator apps show beside the code
EXPORT_KEEP_HOURS = env.integer("EXPORT_KEEP_HOURS", 24, minimum=1)  # export files, then purged
IMPORT_MAX_BYTES = env.integer("IMPORT_MAX_MB", 200, minimum=1) * 2**20  # the largest file an import takes
IMPORT_INLINE_BYTES = env.integer("IMPORT_INLINE_MB", 2, minimum=0) * 2**20  # larger files: in the background
# A `safepassage worker` runs (production, deploy/): background imports wait in the database for it. Off (the
# one-process demo), the web process runs each background import on a thread of its own.
BACKGROUND_WORKER = env.flag("BACKGROUND_WORKER", False)
WORKER_POLL_SECONDS = env.integer("WORKER_POLL_SECONDS", 5, minimum=1)  # how often the worker looks for work
LINKAGE_MEMORY_LIMIT = env.text("LINKAGE_MEMORY_LIMIT", "1GB")  # DuckDB's cap while finding duplicates
# Where the model predicts pairs (docs/linkage.md): DuckDB in this process, or Apache Spark (`pip install
# 'safepassage[spark]'` and Java 17) on SPARK_MASTER: a cluster's URL, or `local[*]` for this machine's cores.
LINKAGE_BACKEND = env.choice("LINKAGE_BACKEND", "duckdb", {"duckdb", "spark"})
SPARK_MASTER = env.text("SPARK_MASTER", "local[*]")
# Spark's intermediate tables: a directory every worker of a cluster reaches (HDFS, S3); DATA_DIR when local.
SPARK_CHECKPOINT_DIR = env.text("SPARK_CHECKPOINT_DIR", "")
# How long each kind of record keeps names, contacts and identifiers before `safepassage retention apply`
# removes them (docs/retention.md gives the reason for each default; none is "forever").
RETENTION = {
    "person_years": env.integer("RETENTION_PERSON_YEARS", 5, minimum=1),
    "case_years": env.integer("RETENTION_CASE_YEARS", 10, minimum=1),
    "intake_years": env.integer("RETENTION_INTAKE_YEARS", 2, minimum=1),
    "registration_years": env.integer("RETENTION_REGISTRATION_YEARS", 3, minimum=1),
    "merge_days": env.integer("RETENTION_MERGE_DAYS", 365, minimum=1),
    "import_days": env.integer("RETENTION_IMPORT_DAYS", 90, minimum=1),
}
# where `safepassage audit checkpoint` appends each audit chain's head: outside the database, ideally on
# storage the database's users cannot write to
AUDIT_CHECKPOINT_FILE = Path(
    env.text("AUDIT_CHECKPOINT_FILE", str(DATA_DIR / "audit-checkpoints.jsonl"))
).expanduser()
# where every erasure is also written (ids and codes only), so `safepassage restore` can make again the
# erasures made after the backup it restores: like the checkpoints, keep it on storage apart from the database
ERASURE_LOG_FILE = Path(env.text("ERASURE_LOG_FILE", str(DATA_DIR / "erasure-log.jsonl"))).expanduser()

# Exchange between installations (docs/exchange.md): this installation's signing and encryption key pairs (a
# JSON file of private JWKs, made once by `safepassage exchange keys`, 0600), the name peers know it by, how
# long a message may travel before it is refused as expired, and the CA bundle peers' HTTPS certificates are
# checked against (the system's when empty).
EXCHANGE_KEYS_FILE = Path(env.text("EXCHANGE_KEYS_FILE", str(DATA_DIR / "exchange_keys.json"))).expanduser()
EXCHANGE_NAME = env.text("EXCHANGE_NAME", "")
EXCHANGE_MESSAGE_DAYS = env.integer("EXCHANGE_MESSAGE_DAYS", 14, minimum=1)
EXCHANGE_CA_FILE = env.text("EXCHANGE_CA_FILE", "")

SESSION_COOKIE_AGE = env.integer("SESSION_HOURS", 8, minimum=1) * 3600
# The session lasts SESSION_HOURS from the last request, not from the sign-in: it is renewed (saved with a new
# expiry) at most once a minute (web.middleware.SlidingSessionMiddleware), not written on every page.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
HTTPS = env.flag("HTTPS", False)
SECURE_COOKIES = env.flag("SECURE_COOKIES", not DEBUG and HTTPS)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    # Browsers remember to use HTTPS only, and a plain-HTTP request is sent to the HTTPS address.
    SECURE_HSTS_SECONDS = env.integer("HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("HSTS_INCLUDE_SUBDOMAINS", False)
    # Preloading is the whole registered domain's owner's decision (every subdomain on HTTPS for good, and
    # hstspreload.org takes only a registered domain), not one site's: off unless asked for, and then
    # Django's reminder that it is off says nothing new.
    SECURE_HSTS_PRELOAD = env.flag("HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_SSL_REDIRECT = True
# The proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or networks). The headers
# from anyone else are ignored (TrustedProxyMiddleware drops them), so a client cannot choose its own address.
# BEHIND_PROXY=true alone means a proxy on this machine.
_default_proxies = ["127.0.0.1", "::1"] if env.flag("BEHIND_PROXY", False) else []
try:
    TRUSTED_PROXIES = parse_networks(env.items("TRUSTED_PROXIES", _default_proxies))
except ValueError as _exc:
    raise EnvError("TRUSTED_PROXIES", str(_exc)) from _exc
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The largest request body: uploads (imports, attachments; multipart) and everything else (forms, JSON).
# Counted as the body is read, before anything parses it; bigger requests get 413.
UPLOAD_MAX_BYTES = env.integer("UPLOAD_MAX_MB", max(IMPORT_MAX_BYTES // 2**20, 1), minimum=1) * 2**20
REQUEST_MAX_BYTES = env.integer("REQUEST_MAX_KB", 2560, minimum=16) * 2**10
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("th", _("Thai")),
    ("lo", _("Lao")),
    ("km", _("Khmer")),
    ("my", _("Burmese")),
    ("vi", _("Vietnamese")),
    ("zh-hans", _("Simplified Chinese")),
]
# Django knows every interface language but Lao; teach it the name. The switcher names each language in
# itself (an autonym): Django's own entry for Khmer says "Khmer".
import django.conf.locale  # noqa: E402

django.conf.locale.LANG_INFO.setdefault(
    "lo", {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"}
)
django.conf.locale.LANG_INFO["km"] = {**django.conf.locale.LANG_INFO["km"], "name_local": "ខ្មែរ"}
LOCALE_PATHS = [__import__("pathlib").Path(__file__).resolve().parent / "locale"]
TIME_ZONE = env.text("TIME_ZONE", "Asia/Bangkok")
USE_I18N = True
USE_TZ = True

try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError) as _exc:
    raise EnvError("TIME_ZONE", f"unknown time zone {TIME_ZONE!r}") from _exc

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(mode=0o700, exist_ok=True)
STORAGES = {
    # attachments: sealed on disk under ENCRYPTION_KEYS, opened only by the views that check access
    "default": {"BACKEND": "safepassage.core.files.SealedStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env.flag("PLAIN_STATIC", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Django's file storage sets these modes itself, whatever the umask (0644 by default): everything it writes
# under DATA_DIR (collected static files, attachments) is for SafePassage's own account only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
MEDIA_ROOT = DATA_DIR / "private"  # never served directly: attachments go through views that check access
# Uploads larger than 2.5 MB wait here, private, while the request reads them (Django removes them when it
# ends); what is kept is sealed first (imports, attachments).
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "uploading"
FILE_UPLOAD_TEMP_DIR.mkdir(mode=0o700, exist_ok=True)

LOG_LEVEL = env.choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint (core.pdf) logs each drawing step; its warnings (a refused address) still show.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Map tiles, fetched by the user's browser: street (OpenStreetMap) and satellite (Esri World Imagery) by
# default; point them at a local tile server, or set them empty for no background (maps still draw: the area
# boundaries in the database are the base layer). MAP_MBTILES / SATELLITE_MBTILES name local .mbtiles files
# served by SafePassage itself (geo.tiles); each, when set, is the default for its layer's URL.
MAP_MBTILES = env.text("MAP_MBTILES", "")
SATELLITE_MBTILES = env.text("SATELLITE_MBTILES", "")
MAP_TILE_URL = env.text(
    "MAP_TILE_URL",
    "/areas/tiles/street/{z}/{x}/{y}" if MAP_MBTILES else "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
)
MAP_TILE_ATTRIBUTION = env.text("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
SATELLITE_TILE_URL = env.text(
    "SATELLITE_TILE_URL",
    "/areas/tiles/satellite/{z}/{x}/{y}"
    if SATELLITE_MBTILES
    else "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
)
SATELLITE_TILE_ATTRIBUTION = env.text("SATELLITE_TILE_ATTRIBUTION", "Esri World Imagery")
MAP_TILE_ORIGINS = sorted(
    {"/".join(url.split("/")[:3]) for url in (MAP_TILE_URL, SATELLITE_TILE_URL) if url.startswith("https://")}
)

# Notifications (docs/notifications.md): e-mail by SMTP, SMS by Twilio's Messages API, LINE by its Messaging
# API. A message holds a fixed sentence, a reference and a link to NOTIFY_BASE_URL, never a name or place.
NOTIFY_BASE_URL = env.text("NOTIFY_BASE_URL", "")
NOTIFY_MAX_TRIES = env.integer("NOTIFY_MAX_TRIES", 5, minimum=1)
NOTIFY_RETRY_SECONDS = env.integer("NOTIFY_RETRY_SECONDS", 120, minimum=1)  # doubles after each failed try
EMAIL_BACKEND = env.text("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.text("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.text("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.text("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.flag("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.flag("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.integer("EMAIL_TIMEOUT", 15, minimum=1)
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "safepassage@localhost")
TWILIO_API_URL = env.text("TWILIO_API_URL", "https://api.twilio.com")
TWILIO_ACCOUNT_SID = env.text("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env.text("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = env.text("TWILIO_FROM", "")
LINE_API_URL = env.text("LINE_API_URL", "https://api.line.me")
LINE_CHANNEL_ACCESS_TOKEN = env.text("LINE_CHANNEL_ACCESS_TOKEN", "")
LINE_CHANNEL_SECRET = env.text("LINE_CHANNEL_SECRET", "")
LINE_ADD_FRIEND_URL = env.text("LINE_ADD_FRIEND_URL", "")  # https://line.me/R/ti/p/@your-account
for _name, _url in (
    ("NOTIFY_BASE_URL", NOTIFY_BASE_URL),
    ("TWILIO_API_URL", TWILIO_API_URL),
    ("LINE_API_URL", LINE_API_URL),
):
    if _url and not _url.startswith(("http://", "https://")):
        raise EnvError(_name, f"{_url!r} must start with http:// or https://")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise EnvError("EMAIL_USE_SSL", "use either EMAIL_USE_TLS or EMAIL_USE_SSL, not both")

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500
