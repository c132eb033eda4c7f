// Structured log lines: one JSON object per line, `{ level, msg, ...fields }`, written only when their level is at
// or above the LOG_LEVEL setting. Each request and each queue batch leaves one "info" line (its wide event), so
// LOG_LEVEL=warn keeps only problems: the per-request volume then goes to Analytics Engine alone.
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function logEnabled(threshold: LogLevel, level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);
}

export function writeLog(
  threshold: LogLevel,
  level: LogLevel,
  msg: string,
  fields: Record<string, unknown> = {},
): void {
  if (!logEnabled(threshold, level)) return;
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
