// A JWKS server the Worker tests control (Node side, started by the global setup). Each test picks its own
// issuer name, so tests never share keys, failures or hit counters:
//   GET  /<name>/jwks                                the key set (or the configured failure)
//   GET  /<name>/.well-known/openid-configuration    discovery naming /<name>/jwks
//   PUT  /control/<name>  {keys?, status?, delayMs?, discoveryIssuer?}   change what is served
//   GET  /control/<name>                             hits so far: { jwks, discovery, other }
// Loopback only, test-only; nothing here is reachable from a deployment.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

interface IssuerState {
  keys: unknown[];
  status: number;
  delayMs: number;
  discoveryIssuer?: string;
  hits: { jwks: number; discovery: number; other: number };
}

export interface ControlledJwksServer {
  url: string;
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
}

export async function startControlledJwksServer(): Promise<ControlledJwksServer> {
  const issuers = new Map<string, IssuerState>();
  const stateOf = (name: string) => {
    let state = issuers.get(name);
    if (!state) {
      state = { keys: [], status: 200, delayMs: 0, hits: { jwks: 0, discovery: 0, other: 0 } };
      issuers.set(name, state);
    }
    return state;
  };
  let base = "";
  const server = createServer(async (request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    try {
      const [first = "", second = "", ...rest] = new URL(request.url ?? "/", "http://x").pathname
        .split("/")
        .filter(Boolean);
      if (first === "control") {
        const state = stateOf(second);
        if (request.method === "PUT") Object.assign(state, await readJson(request));
        return send(200, { hits: state.hits });
      }
      const state = stateOf(first);
      const path = [second, ...rest].join("/");
      if (path === "jwks") state.hits.jwks++;
      else if (path === ".well-known/openid-configuration") state.hits.discovery++;
      else state.hits.other++;
      if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
      if (path === "jwks")
        return send(state.status, state.status === 200 ? { keys: state.keys } : { error: "down" });
      if (path === ".well-known/openid-configuration") {
        return send(state.status, {
          issuer: state.discoveryIssuer ?? `${base}/${first}`,
          jwks_uri: `${base}/${first}/jwks`,
        });
      }
      return send(404, { error: "not_found" });
    } catch {
      if (!response.headersSent) send(500, { error: "control server error" });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
