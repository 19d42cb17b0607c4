# The cxpulse worker image (used by docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cxpulse ./cxpulse
COPY streams ./streams
COPY schemas ./schemas
COPY alerts ./alerts
COPY grafana ./grafana
RUN pip install --no-cache-dir .
ENV CXPULSE_WORKER__METRICS_HOST=0.0.0.0
EXPOSE 9108
ENTRYPOINT ["cxpulse"]
CMD ["worker"]
