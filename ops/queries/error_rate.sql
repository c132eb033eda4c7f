-- Share of requests answered with a 5xx, per time bucket (0..1), weighted by _sample_interval. One value
-- column, so the 5xx alert can reduce it directly.
SELECT
  {{bucket}} AS t,
  sumIf(_sample_interval, double1 >= 500) / SUM(_sample_interval) AS error_ratio
FROM {{dataset}}
WHERE blob1 = 'request' AND {{timeFilter}}
GROUP BY t
ORDER BY t
