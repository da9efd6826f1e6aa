# syntax=docker/dockerfile:1
#
# Production image of the Impactportaal. One image runs every process of the stack in
# docker-compose.yml: gunicorn (the default CMD), the Celery worker, Celery beat and the
# one-off `manage.py migrate`. Configuration comes from the environment at run time
# (impactportal/settings/production.py); no secret is baked in.

# --- build: locked dependencies, compiled translations, collected static files ----------
FROM python:3.11-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv

# msgfmt for compilemessages; needed only in this stage (so no version pin).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

# The uv version that uv.lock itself pins for developers.
RUN pip install "uv==0.13.9"

WORKDIR /app

# Dependencies before the code, so that a code change does not reinstall them. Exactly
# what uv.lock says (--frozen), without the dev group (pytest, embedded servers, ...).
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python

ENV PATH=/opt/venv/bin:$PATH

COPY . .

# The production settings refuse to import without these; the values are dummies that
# exist only inside this RUN (not ENV/ARG), so they do not end up in the image.
RUN export DJANGO_SETTINGS_MODULE=impactportal.settings.production \
        DJANGO_SECRET_KEY=build-only-not-a-secret \
        DJANGO_ALLOWED_HOSTS=localhost \
        EMAIL_URL=consolemail:// \
        DATABASE_URL=postgres://build@localhost:5432/build \
    && python manage.py compilemessages --ignore=.venv -v 0 \
    && python manage.py collectstatic --noinput -v 0 \
    && python -m compileall -q /app

# --- runtime ------------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=impactportal.settings.production \
    DJANGO_MEDIA_ROOT=/var/lib/impactportal/media

# The portal's own user, with a home of its own (gunicorn keeps its control socket in
# ~/.gunicorn). Uploads live outside the web root, in a directory that user owns (a named
# volume mounted there starts with this ownership).
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --create-home --home-dir /home/portal \
        --shell /usr/sbin/nologin portal \
    && install -d -o portal -g portal -m 0750 /var/lib/impactportal/media

COPY --from=build /opt/venv /opt/venv
# Code, compiled .mo files and staticfiles/ stay owned by root: read-only to the portal.
COPY --from=build /app /app

WORKDIR /app
# Numeric, so that a runtime can tell it is not root (runAsNonRoot) without /etc/passwd.
USER 10001:10001

EXPOSE 8000

CMD ["gunicorn", "impactportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
