# Production image: non-root, several workers, migrations applied at start, PostgreSQL via env.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    AGORA_ENV=production WEB_CONCURRENCY=4 PORT=8000

RUN useradd --create-home --uid 10001 agora
WORKDIR /srv/agora

COPY pyproject.toml README.md ./
COPY app ./app
# Editable, so the app finds templates/, migrations/ and courses_seed/ beside it; with the S3
# backend's boto3, since several servers share their files through a bucket.
RUN pip install -e ".[s3]" && pip uninstall -y pip
# Compiled here once: with PYTHONDONTWRITEBYTECODE (and an app directory the agora user cannot
# write), every worker would otherwise compile the application's 300 modules as it starts.
RUN python -m compileall -q app

COPY alembic.ini ./
COPY migrations ./migrations
COPY templates ./templates
COPY courses_seed ./courses_seed
RUN mkdir -p var && chown agora:agora var

USER agora
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
# DATABASE_URL and SECRET_KEY must be given (the app refuses to start otherwise); set BASE_URL
# too, or e-mailed and calendar links point to 127.0.0.1 (a warning says so at start-up).
CMD ["sh", "-c", "agora db upgrade && exec agora serve --host 0.0.0.0 --port \"$PORT\" --workers \"$WEB_CONCURRENCY\" --no-access-log"]
