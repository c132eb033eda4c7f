-- Requests refused by the rate limiter (double5 = 1) per tenant over the window, with the tenant's total for
-- context. "anonymous" is the per-IP limiter in front of authentication.
SELECT
  blob5 AS tenant_id,
  SUM(_sample_interval * double5) AS rate_limited,
  SUM(_sample_interval) AS requests,
  SUM(_sample_interval * double5) / SUM(_sample_interval) AS rate_limited_ratio
FROM {{dataset}}
WHERE blob1 = 'request' AND {{timeFilter}}
GROUP BY tenant_id
HAVING rate_limited > 0
ORDER BY rate_limited DESC
LIMIT 50
