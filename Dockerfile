# syntax=docker/dockerfile:1
# The one image of web, worker and beat (docker-compose.yml picks the command).
# Debian 12 (bookworm), like the development and CI machines, so the package names below are the
# ones scripts/system_deps.sh installs there.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Run-time system packages:
# - libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0: WeasyPrint (PDF exports)
# - fonts-noto-cjk: Chinese glyphs in the PDFs (without it they come out as empty boxes)
# - gettext: msgfmt for compilemessages below
# - postgresql-client: pg_dump / pg_restore for the backups and their restore drills (SEC-1)
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-noto-cjk \
        gettext \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt ./
RUN pip install -r requirements.txt && pip check

# The code belongs to root (read-only for the app user); only var/ is writable.
COPY . .

# Compiled catalogs and collected static files are part of the image. Settings are imported with
# dummy values that are never used to connect anywhere: compilemessages only needs development
# settings, collectstatic needs production ones, so that it writes the hashed, compressed files
# and the manifest that production's CompressedManifestStaticFilesStorage reads.
# var/media, var/private and var/backups are the mount points of the named volumes (docker-compose.yml): made
# here, owned by app, so a new volume starts owned by app too and the app can write to it.
RUN mkdir -p locale static var/media var/private var/backups var/staticfiles \
    && DJANGO_ENV=development python manage.py compilemessages --ignore=.venv -v 0 \
    && DJANGO_ENV=production \
       DJANGO_SECRET_KEY=build-only-dummy-secret-key-never-used-at-run-time \
       DJANGO_ALLOWED_HOSTS=localhost \
       DATABASE_URL=postgres://build@localhost:5432/build \
       REDIS_URL=redis://localhost:6379/0 \
       python manage.py collectstatic --noinput -v 0 \
    && chown -R app:app var

USER app

ENV DJANGO_ENV=production

EXPOSE 8000

CMD ["gunicorn", "callcenter.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
