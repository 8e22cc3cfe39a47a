"""Faktura settings: one file, driven by environment variables.

Defaults give the embedded mode (SQLite in WAL mode under ./data, one worker);
`DATABASE_URL` switches to PostgreSQL. Nothing here is secret by default except
`SECRET_KEY`, which is generated once into the data folder when not given.
"""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # Embedded mode: keep one generated key per data folder so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
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
    "django_tasks_db",
    "faktura.core",
    "faktura.accounts",
    "faktura.history",
    "faktura.listings",
    "faktura.emails",
    "faktura.team",
    "faktura.crm",
    "faktura.sales",
    "faktura.payments",
    "faktura.invoices",
    "faktura.workflows",
    "faktura.api",
    "faktura.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
    DATA_DIR.mkdir(parents=True, exist_ok=True)
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/invoices/"
LOGOUT_REDIRECT_URL = "/login/"

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

# Outbound email: an SMTP server when SMTP_HOST is set; otherwise each email is written as a
# file under DATA_DIR/outbox (the embedded demo sends nothing anywhere).
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
                "timeout": int(os.environ.get("SMTP_TIMEOUT", "20")),
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
    # WeasyPrint reports every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
