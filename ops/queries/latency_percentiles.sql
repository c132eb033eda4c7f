-- p50, p95 and p99 request latency (ms) across matched routes per time bucket, weighted by _sample_interval.
SELECT
  {{bucket}} AS t,
  quantileExactWeighted(0.50)(double2, _sample_interval) AS p50_ms,
  quantileExactWeighted(0.95)(double2, _sample_interval) AS p95_ms,
  quantileExactWeighted(0.99)(double2, _sample_interval) AS p99_ms
FROM {{dataset}}
WHERE blob1 = 'request' AND blob2 != 'unmatched' AND {{timeFilter}}
GROUP BY t
ORDER BY t
