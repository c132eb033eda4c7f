-- Pipeline step points and the records they stand for (double3) per time bucket, by step and outcome.
SELECT
  {{bucket}} AS t,
  blob2 AS step,
  blob3 AS outcome,
  SUM(_sample_interval) AS runs,
  SUM(_sample_interval * double3) AS records,
  quantileExactWeighted(0.95)(double2, _sample_interval) AS p95_ms
FROM {{dataset}}
WHERE blob1 = 'pipeline_step' AND {{timeFilter}}
GROUP BY t, step, outcome
ORDER BY t
