"""Faktura settings: one file, driven by environment variables.

Defaults give the embedded mode (SQLite in WAL mode under ./data, one worker);
`DATABASE_URL` switches to PostgreSQL. Nothing here is secret by default except
`SECRET_KEY`, which is generated once into the data folder when not given.
"""

import datetime as dt
import ipaddress
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("FAKTURA_DATA_DIR", BASE_DIR / "data"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


def env_networks(name: str) -> list[str]:
    """CIDRs separated by commas (127.0.0.0/8,fd00::/8); a bad one stops the start, named."""
    values = env_list(name, [])
    for value in values:
        try:
            ipaddress.ip_network(value)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{name}: “{value}” is not a network ({error}). Write networks as CIDRs "
                "separated by commas, such as 127.0.0.0/8,10.0.0.0/8,fd00::/8."
            ) from None
    return values


def _generated_once(name: str, make: Callable[[], str]) -> str:
    """A key kept in the data folder (0600), made on first start. Web and worker may start
    together: each writes a private draft and hard-links it into place; the first link wins
    and both read its key."""
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file = DATA_DIR / name
    if not key_file.exists():
        draft = DATA_DIR / f".{name}.{os.getpid()}"
        draft.write_text(make())
        draft.chmod(0o600)
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # Embedded mode: keep one generated key per data folder so sessions survive restarts.
    return _generated_once("secret_key", lambda: secrets.token_urlsafe(50))


SECRET_KEY = _secret_key()


def _encryption_keys() -> list[str]:
    """Fernet keys for secrets stored in the database (faktura/core/encryption.py, ADR 0009)."""
    if keys := env_list("FAKTURA_ENCRYPTION_KEYS", []):
        return keys
    from cryptography.fernet import Fernet

    return [_generated_once("encryption_key", lambda: Fernet.generate_key().decode())]


FAKTURA_ENCRYPTION_KEYS = _encryption_keys()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: runserver serves static files through WhiteNoise too.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # The API docs page (/api/docs) serves Swagger UI from these static files, not a CDN.
    "ninja",
    "django_tasks_db",
    "axes",
    "faktura.core",
    "faktura.workers",
    "faktura.accounts",
    "faktura.history",
    "faktura.listings",
    "faktura.emails",
    "faktura.team",
    "faktura.crm",
    "faktura.sales",
    "faktura.payments",
    "faktura.invoices",
    "faktura.stripe_payments",
    "faktura.payment_links",
    "faktura.workflows",
    "faktura.quickbooks",
    "faktura.api",
    "faktura.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "faktura.core.served.ServedAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "faktura.accounts.locale_middleware.UserLocaleMiddleware",
    "faktura.core.query_text.QueryTextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "faktura.accounts.navigation.navigation",
            ],
        },
    },
]

if database_url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(database_url, conn_max_age=60)}
else:
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "faktura.sqlite3"),
            "OPTIONS": {
                # WAL lets readers work while the worker writes; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing mid-transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

# The line editor posts 10 fields a line: a document's 500 lines (faktura.sales.lines.MAX_LINES)
# and the form's own fields must fit; Django's 1,000 refused 110 lines with a bare 400, the input
# lost. A test checks a full editor fits.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 6_000

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/invoices/"
LOGOUT_REDIRECT_URL = "/login/"

# Sign-in throttling (django-axes): AxesStandaloneBackend refuses a locked-out sign-in before the
# password is checked. See faktura/accounts/lockout.py.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Counted separately per username and per client address: one account sprayed from many
# addresses is locked, and so is one address trying many accounts. An address has a higher limit
# of its own (faktura.accounts.lockout.ThrottlingHandler): a whole office may share one address.
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_HANDLER = "faktura.accounts.lockout.ThrottlingHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("FAKTURA_LOGIN_FAILURE_LIMIT", "10"))
FAKTURA_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("FAKTURA_LOGIN_ADDRESS_FAILURE_LIMIT", "50")
)
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("FAKTURA_LOGIN_COOLOFF_MINUTES", "15")))
# A success clears only its own username's failures (faktura.accounts.lockout), not the address's.
AXES_RESET_ON_SUCCESS = False
# Failures during a lockout do not push its end further out: the message's minutes stay true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "faktura.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "faktura.core.client_address.client_address"
# Unlocking lives in Settings → Users (and `manage.py axes_reset_username`); the admin is read-only.
AXES_ENABLE_ADMIN = False
# Successful sign-ins are not logged by axes (User.last_login keeps the latest).
AXES_DISABLE_ACCESS_LOG = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Set STATIC_ROOT (and run collectstatic) only when static files are collected for a deployment;
# otherwise WhiteNoise serves them straight from the apps' folders.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
# Generated files (exports); point STORAGES["default"] elsewhere to share them between machines.
MEDIA_ROOT = Path(os.environ.get("FAKTURA_MEDIA_ROOT", DATA_DIR / "files"))
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every page: scripts only from Faktura's own static files (or
# with this response's nonce), no inline style attributes, no framing, forms post only here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# How many reverse proxies in front of Faktura append to X-Forwarded-For (0: none, the client
# is REMOTE_ADDR). Sign-in throttling and the buyer page's rate limit count by this address.
FAKTURA_TRUSTED_PROXIES = int(os.environ.get("FAKTURA_TRUSTED_PROXIES", "0"))

# Served over HTTPS (the production guide): HSTS for a year, cookies only over HTTPS, and
# plain-HTTP requests redirected. Off for the embedded http://127.0.0.1 mode.
FAKTURA_HTTPS = env_bool("FAKTURA_HTTPS", False)
if FAKTURA_HTTPS:
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("FAKTURA_SSL_REDIRECT", True)
    if FAKTURA_TRUSTED_PROXIES:
        # Only a proxy we trust may tell Django the browser used HTTPS; it must set (and
        # overwrite) this header itself.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The buyer page (the invoice's public link) per client address, as requests/seconds; "off"
# disables.
FAKTURA_BUYER_RATE_LIMIT = os.environ.get("FAKTURA_BUYER_RATE_LIMIT", "60/60")

# Outbound email: an SMTP server when SMTP_HOST is set; otherwise each email is written as a
# file under DATA_DIR/outbox (the embedded demo sends nothing anywhere). SMTP_TIMEOUT (seconds)
# bounds each wait on the mail server: one that accepts the connection and never answers is
# given up on after it, and retried later (emails.services.deliver_email).
SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", "20"))
if os.environ.get("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["SMTP_HOST"],
                "port": int(os.environ.get("SMTP_PORT", "587")),
                "username": os.environ.get("SMTP_USER", ""),
                "password": os.environ.get("SMTP_PASSWORD", ""),
                "use_tls": os.environ.get("SMTP_SECURITY", "starttls") == "starttls",
                "use_ssl": os.environ.get("SMTP_SECURITY", "starttls") == "ssl",
                "timeout": SMTP_TIMEOUT,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "outbox")},
        }
    }

# The address Faktura is served at (e.g. https://billing.example.com), for links made outside a
# request while no domain is set in Settings; `manage.py serve` sets it from its port.
FAKTURA_BASE_URL = os.environ.get("FAKTURA_BASE_URL", "").strip().rstrip("/")

# Per-token API rate limit as requests/seconds (HubSpot's default: 100 per 10 s); "off" disables.
FAKTURA_API_RATE_LIMIT = os.environ.get("FAKTURA_API_RATE_LIMIT", "100/10")

# Networks workflow webhooks may reach although they are not public (LAN receivers, tests):
# CIDR strings. Loopback, private, link-local and other non-public addresses are refused.
WEBHOOK_ALLOWED_NETWORKS = env_networks("FAKTURA_WEBHOOK_ALLOWED_NETWORKS")
# Seconds a webhook receiver may take for each wait on its answer (HubSpot's 30).
WEBHOOK_RESPONSE_TIMEOUT = float(os.environ.get("FAKTURA_WEBHOOK_TIMEOUT", "30"))

# QuickBooks Online (docs/quickbooks.md). The app's keys come from Intuit's developer portal;
# `bin/run` points these at qbo_sandbox instead. The OAuth endpoints are read from the
# discovery document; the API lives at QUICKBOOKS_API_URL (…/v3/company/{realmId}/…).
QUICKBOOKS_CLIENT_ID = os.environ.get("QUICKBOOKS_CLIENT_ID", "")
QUICKBOOKS_CLIENT_SECRET = os.environ.get("QUICKBOOKS_CLIENT_SECRET", "")
QUICKBOOKS_DISCOVERY_URL = os.environ.get(
    "QUICKBOOKS_DISCOVERY_URL", "https://developer.api.intuit.com/.well-known/openid_configuration/"
)
QUICKBOOKS_API_URL = os.environ.get("QUICKBOOKS_API_URL", "https://quickbooks.api.intuit.com")
# Where a user opens a company's documents: Intuit's app, or the sandbox's page in the demo.
QUICKBOOKS_APP_URL = os.environ.get("QUICKBOOKS_APP_URL", "https://app.qbo.intuit.com")
# Seconds to wait for QuickBooks (Intuit ends requests after 120 s).
QUICKBOOKS_TIMEOUT = float(os.environ.get("QUICKBOOKS_TIMEOUT", "60"))
# Intuit's limits per company, held across all processes (faktura/quickbooks/limits.py).
QUICKBOOKS_REQUESTS_PER_MINUTE = int(os.environ.get("QUICKBOOKS_REQUESTS_PER_MINUTE", "500"))
QUICKBOOKS_CONCURRENT_REQUESTS = int(os.environ.get("QUICKBOOKS_CONCURRENT_REQUESTS", "10"))

# Stripe (docs/payments.md). The API's address: Stripe's own, or stripe_sandbox in tests and the
# demo. Keys from the environment win over those stored in Settings → Payments.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com").strip().rstrip("/")
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "").strip()
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "").strip()
# Seconds to wait for Stripe, and how often the library retries a call lost on the network.
STRIPE_TIMEOUT = float(os.environ.get("STRIPE_TIMEOUT", "30"))
STRIPE_NETWORK_RETRIES = int(os.environ.get("STRIPE_NETWORK_RETRIES", "2"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every rendering step at INFO, the stripe library every request.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "stripe": {"level": "WARNING"},
    },
}
