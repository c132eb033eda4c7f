// CPU time of the workerd processes `wrangler dev` starts, read from /proc (Linux): the user Worker's process (the
// one started with an inspector address) and the dev proxy's (the one listening on the dev port), counted apart,
// so that a scenario's CPU per request is the Worker's own and not the proxy's in front of it.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface WorkerdProcesses {
  worker: number;
  proxy: number;
}

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

function statOf(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is parenthesized and may hold spaces: split after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** The workerd processes below `rootPid` (wrangler's node process); undefined until both are up. */
export function workerdProcesses(rootPid: number): WorkerdProcesses | undefined {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = Number(statOf(pid)?.[1]);
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const below: number[] = [];
  const queue = [rootPid];
  while (queue.length) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      below.push(child);
      queue.push(child);
    }
  }
  const workerd = below.filter((pid) => /\/workerd serve /.test(commandLine(pid)));
  const worker = workerd.find((pid) => commandLine(pid).includes("--inspector-addr"));
  const proxy = workerd.find((pid) => !commandLine(pid).includes("--inspector-addr"));
  return worker && proxy ? { worker, proxy } : undefined;
}

/** User plus system CPU time the process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const fields = statOf(pid);
  if (!fields) return Number.NaN;
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat, i.e. 11 and 12 after the command name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}
