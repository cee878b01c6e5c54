# fbss-check: a container a deployer can build. (CI does not build it: there is no Docker
# engine on the CI machines.)  Build and run:
#   docker build -t fbss-check .
#   docker run -p 8000:8000 -e SECRET_KEY=... -e FBSS_REGION=us fbss-check
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/fbss-check

COPY pyproject.toml README.md ./
COPY fbss_check ./fbss_check
COPY templates ./templates
COPY questions.yaml app.py gunicorn.conf.py ./
RUN pip install -e . && pybabel compile -d fbss_check/web/translations && fbss-check validate questions.yaml

RUN useradd --system --no-create-home fbss
USER fbss

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["gunicorn", "app:app"]
