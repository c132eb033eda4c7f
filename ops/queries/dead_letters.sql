-- Records moved to the dead-letter queue per time bucket (pipeline step points with outcome "dead_lettered"; a
-- point stands for double3 records). Summed over the alert window this is the growth of the dead-letter backlog;
-- the backlog itself is listed by GET /api/v1/ingest/failures.
SELECT
  {{bucket}} AS t,
  SUM(_sample_interval * double3) AS dead_lettered
FROM {{dataset}}
WHERE blob1 = 'pipeline_step' AND blob3 = 'dead_lettered' AND {{timeFilter}}
GROUP BY t
ORDER BY t
