// One bounded read of a web stream, for request bodies (the ingest routes) and fetched responses (safe-fetch): the
// declared length is checked first, then bytes are counted while reading, so a chunked or lying body is cut off as
// soon as it passes `maxBytes`, before anything parses it.

/**
 * The stream's bytes, at most `maxBytes`; `tooLarge()` is thrown (after cancelling the stream) when the declared
 * length or the bytes read pass the limit.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | null | undefined,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const declared = Number(declaredLength);
  if (declaredLength && Number.isFinite(declared) && declared > maxBytes) {
    await body?.cancel();
    throw tooLarge();
  }
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
