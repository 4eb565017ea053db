# The TMS in one image: the web client built with Node, the app on Python 3.11.
#   docker build -t tms .
#   docker compose up        (with MariaDB and Redis: see docker-compose.yml)

FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/tms
COPY pyproject.toml README.md ./
COPY src/ src/
RUN pip install . && useradd --system --home-dir /srv/tms --shell /usr/sbin/nologin tms \
    && mkdir -p /data && chown tms /data
COPY --from=web /web/dist /srv/tms/web/dist
ENV TMS_HOST=0.0.0.0 \
    TMS_PORT=8002 \
    TMS_VAR_DIR=/data \
    TMS_DATABASE_URL=sqlite+aiosqlite:////data/tms.db \
    TMS_WEB_DIST=/srv/tms/web/dist
USER tms
VOLUME ["/data"]
EXPOSE 8002
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8002/health', timeout=2)"]
CMD ["tms", "serve"]
