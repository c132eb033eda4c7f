-- p95 request latency (ms) across all routes per time bucket: the latency alert's signal. Unmatched routes
-- (scanners, typos) are left out so they can neither mask nor fake a regression.
SELECT
  {{bucket}} AS t,
  quantileExactWeighted(0.95)(double2, _sample_interval) AS p95_ms
FROM {{dataset}}
WHERE blob1 = 'request' AND blob2 != 'unmatched' AND {{timeFilter}}
GROUP BY t
ORDER BY t
