-- Latency percentiles (ms) per route pattern and method over the window, with database time and round trips.
-- Percentiles weight each row by _sample_interval so sampled rows count as often as they stand for.
SELECT
  blob2 AS route,
  blob3 AS method,
  SUM(_sample_interval) AS requests,
  quantileExactWeighted(0.50)(double2, _sample_interval) AS p50_ms,
  quantileExactWeighted(0.95)(double2, _sample_interval) AS p95_ms,
  quantileExactWeighted(0.99)(double2, _sample_interval) AS p99_ms,
  SUM(_sample_interval * double3) / SUM(_sample_interval) AS avg_db_ms,
  SUM(_sample_interval * double4) / SUM(_sample_interval) AS avg_db_round_trips
FROM {{dataset}}
WHERE blob1 = 'request' AND {{timeFilter}}
GROUP BY route, method
ORDER BY requests DESC
LIMIT 50
