// The one bounded reader of web streams, for request bodies (the ingest routes) and fetched responses (safe-fetch,
// the streamed CSV feeds): the declared length is checked first, then bytes are counted while reading, so a
// chunked or lying body is cut off as soon as it passes `maxBytes`, before anything parses it.

/**
 * The stream's chunks as they arrive, at most `maxBytes` in all; `tooLarge()` is thrown (after cancelling the
 * stream) when the declared length or the bytes read pass the limit. A consumer that stops early (`break`, or
 * an error of its own) cancels the stream, so the rest of a large body is never read.
 */
export async function* cappedChunks(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | null | undefined,
  maxBytes: number,
  tooLarge: () => Error,
): AsyncGenerator<Uint8Array, void, undefined> {
  const declared = Number(declaredLength);
  if (declaredLength && Number.isFinite(declared) && declared > maxBytes) {
    await body?.cancel();
    throw tooLarge();
  }
  if (!body) return;
  const reader = body.getReader();
  let total = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge();
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** The stream's bytes, at most `maxBytes`, in one array (see cappedChunks for the limit). */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | null | undefined,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of cappedChunks(body, declaredLength, maxBytes, tooLarge)) {
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
