// CPU profiles of the user Worker under `wrangler dev` (`npm run bench -- --profile ...`), over the Chrome DevTools
// protocol through wrangler's inspector proxy (`--inspector-port`). What it takes (found the hard way):
// - the proxy refuses a websocket without an Origin header (a local origin is accepted);
// - workerd answers Profiler.enable only once Runtime.enable has created the session's execution context; sent
//   first, Profiler commands are never answered;
// - workerd serves one inspector session per Worker at a time and queues the others, so connecting to the Worker's
//   own workerd inspector (--inspector-addr) waits behind the proxy's session forever.
// The summary maps each sampled line of wrangler's bundle to the module esbuild marks it with (`// src/app.ts`,
// `// node_modules/zod/...`), so self time adds up per module as well as per function.
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

  static open(inspectorPort: number): Promise<DevToolsSession> {
    const url = `ws://127.0.0.1:${inspectorPort}/ws`;
    // undici's WebSocket takes headers in its init object (not in the DOM typings).
    const init = { headers: { Origin: `http://127.0.0.1:${inspectorPort}` } } as unknown as string[];
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, init);
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

/**
 * Records a CPU profile of the Worker behind wrangler's inspector proxy on `inspectorPort` while `during` runs,
 * sampling every `intervalUs` microseconds.
 */
export async function recordProfile<T>(
  inspectorPort: number,
  during: () => Promise<T>,
  intervalUs = 200,
): Promise<{ recording: ProfileRecording; result: T }> {
  const session = await DevToolsSession.open(inspectorPort);
  try {
    await session.send("Runtime.enable");
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
