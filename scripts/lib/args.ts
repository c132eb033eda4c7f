/** Minimal `--name value` / `--flag` parser for the AVM scripts. */
export function parseArgs(argv: readonly string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? "";
    if (!token.startsWith("--")) continue;
    const [name, inlineValue] = token.slice(2).split("=", 2) as [string, string | undefined];
    if (inlineValue !== undefined) {
      args.set(name, inlineValue);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith("--")) {
      args.set(name, next);
      i++;
    } else {
      args.set(name, "true");
    }
  }
  return args;
}
