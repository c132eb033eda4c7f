// CPU profiles of the user Worker under `wrangler dev` (`npm run bench -- --profile ...`), over the Chrome DevTools
// protocol of workerd's own inspector. What the obvious route gets wrong (found the hard way):
// - wrangler's inspector proxy (--inspector-port) never answers Profiler commands; the user Worker's workerd
//   process serves its own inspector on a random port (--inspector-addr=127.0.0.1:0), found here from the
//   process's listening sockets and its /json target list (target id `core:user:<worker name>`);
// - workerd serves one inspector session per Worker at a time, and wrangler's proxy holds one from startup: a new
//   session makes workerd close the proxy's, but it is served only once the proxy has closed its end too, which
//   the proxy does when a client of its own sends it a command (releaseDevSession, after connecting here);
// - workerd answers Profiler.enable only once Runtime.enable has created the session's execution context.
// The summary maps each sampled line of wrangler's bundle to the module esbuild marks it with (`// src/app.ts`,
// `// node_modules/zod/...`), so self time adds up per module as well as per function.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    scriptId: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
  };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The TCP ports `pid` listens on (Linux /proc). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is field 1 (hex ip:port), st field 3 (0A = LISTEN), inode field 9.
      if (fields[3] === "0A" && fields[9] && inodes.has(fields[9]))
        ports.push(Number.parseInt(fields[1]?.split(":")[1] ?? "", 16));
    }
  }
  return ports;
}

/** The DevTools websocket of the user Worker `workerName` inside workerd process `pid`. */
export async function inspectorUrl(pid: number, workerName: string): Promise<string> {
  for (const port of listeningPorts(pid)) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(1000) });
      const targets = (await response.json()) as { id: string; webSocketDebuggerUrl: string }[];
      const target = targets.find((t) => t.id === `core:user:${workerName}`);
      if (target) return target.webSocketDebuggerUrl;
    } catch {
      // Not the inspector.
    }
  }
  throw new Error(`no inspector for ${workerName} in process ${pid}`);
}

/**
 * Makes wrangler's inspector proxy close its end of the session workerd has closed (above), by sending the proxy
 * a command as a client; it opens no new session until its next client. The proxy refuses a connection without
 * an Origin header.
 */
export async function releaseDevSession(proxyInspectorPort: number): Promise<void> {
  const url = `ws://127.0.0.1:${proxyInspectorPort}/ws`;
  // undici's WebSocket takes headers in its init object (not in the DOM typings).
  const init = { headers: { Origin: `http://127.0.0.1:${proxyInspectorPort}` } } as unknown as string[];
  const ws = new WebSocket(url, init);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`cannot open ${url}`)), { once: true });
  });
  ws.send(JSON.stringify({ id: 1, method: "Runtime.enable", params: {} }));
  await new Promise((resolve) => {
    ws.addEventListener("message", resolve, { once: true });
    setTimeout(resolve, 3000);
  });
  ws.close();
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

class DevToolsSession {
  #ws: WebSocket;
  #next = 0;
  #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly scripts = new Map<string, string>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        method?: string;
        params?: { scriptId: string; url: string };
        result?: unknown;
        error?: { message: string };
      };
      if (message.method === "Debugger.scriptParsed" && message.params)
        this.scripts.set(message.params.scriptId, message.params.url);
      const pending = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!pending || message.id === undefined) return;
      this.#pending.delete(message.id);
      if (message.error) pending.reject(new Error(message.error.message));
      else pending.resolve(message.result);
    });
  }

  static open(url: string): Promise<DevToolsSession> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.addEventListener("open", () => resolve(new DevToolsSession(ws)), { once: true });
      ws.addEventListener("error", () => reject(new Error(`cannot open ${url}`)), { once: true });
    });
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.#next;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer`)), 30_000);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.#ws.close();
  }
}

export interface ProfileRecording {
  profile: CpuProfile;
  /** Source text of the scripts the profile samples, by script id. */
  sources: Map<string, string>;
}

/** Records a CPU profile of the Worker while `during` runs (sampling every `intervalUs` microseconds). */
export async function recordProfile<T>(
  url: string,
  proxyInspectorPort: number,
  during: () => Promise<T>,
  intervalUs = 200,
): Promise<{ recording: ProfileRecording; result: T }> {
  const session = await DevToolsSession.open(url);
  try {
    const enabled = session.send("Runtime.enable");
    await releaseDevSession(proxyInspectorPort);
    await enabled;
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: intervalUs });
    await session.send("Profiler.start");
    const result = await during();
    const { profile } = await session.send<{ profile: CpuProfile }>("Profiler.stop");
    // Only now: the debugger's bookkeeping stays out of the sampled run.
    await session.send("Debugger.enable");
    const sources = new Map<string, string>();
    const scriptIds = new Set(
      profile.nodes.map((node) => node.callFrame.scriptId).filter((id) => id !== "0"),
    );
    for (const scriptId of scriptIds) {
      try {
        const { scriptSource } = await session.send<{ scriptSource: string }>("Debugger.getScriptSource", {
          scriptId,
        });
        sources.set(scriptId, scriptSource);
      } catch {
        // An internal script without source.
      }
    }
    await session.send("Debugger.disable");
    return { recording: { profile, sources }, result };
  } finally {
    session.close();
  }
}

/** For each line of a bundle, the module esbuild's `// path` marker above it names. */
function moduleLines(source: string): string[] {
  const modules: string[] = [];
  let current = "(bundle)";
  for (const line of source.split("\n")) {
    const marker = /^\/\/ ((?:src|durable-objects|queues|node_modules|\.\.\/)[^\s]*\.[cm]?[jt]s)$/.exec(line);
    if (marker?.[1]) current = marker[1].replace(/^(node_modules\/(?:@[^/]+\/)?[^/]+)\/.*$/, "$1");
    modules.push(current);
  }
  return modules;
}

export interface ProfileSummary {
  totalMs: number;
  byModule: { name: string; selfMs: number; share: number }[];
  byFunction: { name: string; selfMs: number; share: number }[];
}

/** Self time per module and per function (top `top` of each), in milliseconds of the sampled run. */
export function summarize(recording: ProfileRecording, top = 15): ProfileSummary {
  const { profile, sources } = recording;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const lines = new Map([...sources].map(([id, source]) => [id, moduleLines(source)]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((nodeId, index) => {
    selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [nodeId, us] of selfUs) {
    const frame = nodes.get(nodeId)?.callFrame;
    if (!frame || frame.functionName === "(idle)") continue;
    const module = lines.get(frame.scriptId)?.[frame.lineNumber] ?? (frame.url || frame.functionName);
    const name = `${frame.functionName || "(anonymous)"} ${module}:${frame.lineNumber + 1}`;
    byModule.set(module, (byModule.get(module) ?? 0) + us);
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    total += us;
  }
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        selfMs: Math.round(us / 10) / 100,
        share: total ? Math.round((us / total) * 1000) / 10 : 0,
      }));
  return { totalMs: Math.round(total / 10) / 100, byModule: rank(byModule), byFunction: rank(byFunction) };
}

/** A Markdown section of one scenario's profile, per request. */
export function renderProfile(scenario: string, requests: number, summary: ProfileSummary): string {
  const perRequest = (ms: number) => (requests ? Math.round((ms / requests) * 1000) / 1000 : 0);
  const rows = (entries: ProfileSummary["byModule"]) =>
    entries.map((e) => `| ${e.name.replaceAll("|", "\\|")} | ${perRequest(e.selfMs)} | ${e.share}% |`);
  return [
    `### ${scenario}`,
    "",
    `${requests} requests, ${perRequest(summary.totalMs)} ms sampled a request (idle excluded).`,
    "",
    "| module | self ms a request | share |",
    "|---|---|---|",
    ...rows(summary.byModule),
    "",
    "| function | self ms a request | share |",
    "|---|---|---|",
    ...rows(summary.byFunction),
    "",
  ].join("\n");
}
