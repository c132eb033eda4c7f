// U+0000 in text. PostgreSQL text cannot hold it (the write fails as a server error), and no property, record or
// name has a use for it, so every text that enters the API is checked for it at validation and refused there,
// naming the field, before anything reaches the database.

/** Dotted paths (e.g. "records.3.city") of every string in `value` that contains U+0000; keys are checked too. */
export function nulFieldPaths(value: unknown, path: readonly string[] = []): string[] {
  if (typeof value === "string") return value.includes("\u0000") ? [path.join(".") || "(root)"] : [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => nulFieldPaths(item, [...path, String(index)]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(key.includes("\u0000") ? [[...path, key].join(".")] : []),
      ...nulFieldPaths(item, [...path, key]),
    ]);
  }
  return [];
}

export const NUL_MESSAGE = "Must not contain the NUL character (U+0000).";
