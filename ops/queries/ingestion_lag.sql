-- Seconds since the last successful ingestion run (step "ingest", outcome "ok"). The cron runs every minute,
-- so a healthy value stays under ~120; the window only bounds the scan.
SELECT
  toUnixTimestamp(NOW()) - toUnixTimestamp(max(timestamp)) AS lag_seconds,
  max(timestamp) AS last_ingest,
  SUM(_sample_interval) AS runs_in_window
FROM {{dataset}}
WHERE blob1 = 'pipeline_step' AND blob2 = 'ingest' AND blob3 = 'ok' AND {{timeFilter}}
