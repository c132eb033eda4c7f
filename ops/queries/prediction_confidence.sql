-- Valuation quality and cost per model version over the window: confidence (double1), relative forecast
-- standard deviation (double3) and latency (double2), all weighted by _sample_interval.
SELECT
  blob2 AS model_version,
  SUM(_sample_interval) AS valuations,
  SUM(_sample_interval * double1) / SUM(_sample_interval) AS avg_confidence,
  quantileExactWeighted(0.10)(double1, _sample_interval) AS p10_confidence,
  SUM(_sample_interval * double3) / SUM(_sample_interval) AS avg_fsd,
  quantileExactWeighted(0.95)(double2, _sample_interval) AS p95_latency_ms
FROM {{dataset}}
WHERE blob1 = 'valuation' AND {{timeFilter}}
GROUP BY model_version
ORDER BY valuations DESC
