// The client_credentials grant against the test's OIDC provider, as an API client would send it. Plain fetch and
// btoa, so both the global setup (Node) and the tests (workerd) use it: each test asks for its own token when it
// runs, so a slow run cannot outlive the token's lifetime.

export const OIDC_PROVIDER_CLIENT_ID = "real-estate-os-e2e";
export const OIDC_PROVIDER_CLIENT_SECRET = "e2e-secret-that-is-only-used-on-loopback";
// Resource indicators are absolute URIs (RFC 8707); the provider maps this one onto the API's audience.
export const API_RESOURCE = "https://api.real-estate-os.test/";

export async function requestProviderToken(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${btoa(`${OIDC_PROVIDER_CLIENT_ID}:${OIDC_PROVIDER_CLIENT_SECRET}`)}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", resource: API_RESOURCE, scope: "api" }),
  });
  const body = (await response.json()) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new Error(
      `oidc-provider refused the client_credentials grant: ${body.error} ${body.error_description}`,
    );
  }
  return body.access_token;
}
