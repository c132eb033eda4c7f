-- Requests per time bucket by status class (2xx/4xx/5xx). Counts are SUM(_sample_interval): each stored row
-- stands for _sample_interval requests once Analytics Engine samples.
SELECT
  {{bucket}} AS t,
  blob4 AS status_class,
  SUM(_sample_interval) AS requests
FROM {{dataset}}
WHERE blob1 = 'request' AND {{timeFilter}}
GROUP BY t, status_class
ORDER BY t
