# supportbot: one image for HTTP mode (default) and Socket Mode (set SLACK_APP_TOKEN).
FROM python:3.11-slim

# The code in /app is read-only for the bot's user; what it writes (the default SQLite database, the
# intake spool of requests acknowledged while the database was down, the FAQ index and its embeddings,
# so that a restart does not compute them again) goes to the volumes /data and /spool.
# compose.yaml uses PostgreSQL instead.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000 \
    DATABASE_URL=sqlite:////data/supportbot.db \
    SUPPORTBOT_SPOOL_DIR=/spool \
    SUPPORTBOT_FAQ_INDEX_CACHE=/data/faq-index

WORKDIR /app
COPY pyproject.toml README.md LICENSE alembic.ini manifest.yml supportbot.example.toml ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
COPY scheduler ./scheduler
COPY migrations ./migrations
# Editable, so the bundled example config, manifest and knowledge base stay where the code finds them.
RUN pip install -e . \
    && useradd --create-home --uid 10001 supportbot \
    && mkdir /data /spool && chown supportbot:supportbot /data /spool
USER supportbot
VOLUME ["/data", "/spool"]

EXPOSE 3000
# /healthz answers in HTTP mode and in Socket Mode alike, on PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=3)"
# Applies migrations (under a lock), then serves until SIGTERM.
CMD ["supportbot", "run"]
