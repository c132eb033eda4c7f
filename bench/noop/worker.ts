// The benchmark's baseline: a Worker that does nothing but answer. Served by the same `wrangler dev` as the API,
// it measures what the local runtime and the machine cost per request before the API does any work.
export default {
  fetch(): Response {
    return Response.json({ ok: true });
  },
};
