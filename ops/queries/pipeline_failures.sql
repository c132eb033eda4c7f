-- Records whose pipeline step did not succeed over the window, by step, outcome and tenant (a point stands for
-- double3 records).
SELECT
  blob2 AS step,
  blob3 AS outcome,
  blob5 AS tenant_id,
  SUM(_sample_interval * double3) AS records
FROM {{dataset}}
WHERE blob1 = 'pipeline_step' AND blob3 IN ('retried', 'quarantined', 'failed', 'dead_lettered') AND {{timeFilter}}
GROUP BY step, outcome, tenant_id
ORDER BY records DESC
LIMIT 100
