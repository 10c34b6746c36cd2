"""Django settings, derived entirely from :mod:`dos.config` (there is no other settings file)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext_lazy as _

from dos.config import load

CONFIG = load()
DATA_DIR = CONFIG.data_dir
PORTAL_DIR = Path(__file__).resolve().parent

SECRET_KEY = CONFIG.SECRET_KEY
DEBUG = CONFIG.DEBUG
ALLOWED_HOSTS = CONFIG.ALLOWED_HOSTS
BASE_URL = CONFIG.BASE_URL.rstrip("/")

INSTALLED_APPS = [
    "dos.portal.web",
    "dos.portal.tenancy",
    "dos.portal.accounts",
    "dos.portal.cityapp",
    "dos.portal.strategy",
    "dos.portal.content",
    "dos.portal.events",
    "dos.portal.participation",
    "dos.portal.opendata",
    "dos.portal.dashboards",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "dos.portal.web.middleware.RouteLabelMiddleware",
    "dos.portal.tenancy.middleware.CityMiddleware",
]

ROOT_URLCONF = "dos.portal.urls"

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
                "dos.portal.web.context.shell",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    if not CONFIG.uses_postgres:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(CONFIG.sqlite_path("portal")),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
            # A file (not in-memory) so that a live server thread in the browser tests sees
            # the test data; pytest-xdist appends a suffix per worker.
            "TEST": {"NAME": str(DATA_DIR / "test-portal.sqlite3")},
        }
    url = urlsplit(CONFIG.DATABASE_URL)
    return {
        "ENGINE": "dos.portal.db.postgresql",
        "NAME": url.path.lstrip("/") or "dos",
        "USER": unquote(url.username or ""),
        "PASSWORD": unquote(url.password or ""),
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
        "OPTIONS": {"connect_timeout": 5},
        "TEST": {"NAME": "test_" + (url.path.lstrip("/") or "dos")},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
    "dos.portal.accounts.backends.CityRoleBackend",  # authorisation only
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# django-allauth: e-mail addresses are the login, verified before first use.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if CONFIG.production else "http"
ACCOUNT_SIGNUP_FORM_CLASS = "dos.portal.accounts.forms.SignupForm"
_failures = CONFIG.LOGIN_MAX_FAILURES
_lockout = CONFIG.LOGIN_LOCKOUT_SECONDS
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{_failures * 2}/{_lockout}s/ip,{_failures}/{_lockout}s/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
}
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS: dict[str, object] = {}
if CONFIG.OIDC_ISSUER:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "sso",
                "name": CONFIG.OIDC_NAME,
                "client_id": CONFIG.OIDC_CLIENT_ID,
                "secret": CONFIG.OIDC_CLIENT_SECRET,
                "settings": {"server_url": CONFIG.OIDC_ISSUER},
            }
        ],
    }

# Cache: local memory per process (rate limits); a shared cache comes with scale-out.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if CONFIG.SMTP_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = CONFIG.SMTP_HOST
    EMAIL_PORT = CONFIG.SMTP_PORT
    EMAIL_HOST_USER = CONFIG.SMTP_USER
    EMAIL_HOST_PASSWORD = CONFIG.SMTP_PASSWORD
    EMAIL_USE_TLS = CONFIG.SMTP_TLS
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = CONFIG.EMAIL_FROM
SERVER_EMAIL = CONFIG.EMAIL_FROM

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "dos_language"
LOCALE_PATHS: list[str] = []
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(DATA_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = str(DATA_DIR / "media")

SESSION_COOKIE_SECURE = CONFIG.production
CSRF_COOKIE_SECURE = CONFIG.production
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [BASE_URL]

LOGGING_CONFIG = None  # dos.observability configures logging
