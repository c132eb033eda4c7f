-- Valuations per time bucket by model version.
SELECT
  {{bucket}} AS t,
  blob2 AS model_version,
  SUM(_sample_interval) AS valuations
FROM {{dataset}}
WHERE blob1 = 'valuation' AND {{timeFilter}}
GROUP BY t, model_version
ORDER BY t
