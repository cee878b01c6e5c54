# fbss-check: the app image. In production it runs behind nginx: compose.yaml runs both (see
# README.md, "Deploy"). CI does not build it: there is no Docker engine on the CI machines.
#   docker compose up -d        (with SECRET_KEY and FBSS_PUBLIC_URL in .env)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    BIND=0.0.0.0:8000 FBSS_PROXY_HOPS=1
WORKDIR /srv/fbss-check

COPY pyproject.toml README.md ./
COPY fbss_check ./fbss_check
COPY templates ./templates
COPY questions.yaml clinics.yaml app.py gunicorn.conf.py ./
RUN pip install -e . && pybabel compile -d fbss_check/web/translations && fbss-check validate questions.yaml

RUN useradd --system --no-create-home fbss
USER fbss

EXPOSE 8000
# Every host but FBSS_PUBLIC_URL's is refused, so the health check names it.
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import os, urllib.parse, urllib.request; host = urllib.parse.urlsplit(os.environ['FBSS_PUBLIC_URL']).netloc; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}))"
CMD ["gunicorn", "app:app"]
