// The last lines of a (possibly large, growing) log file, read backwards from the end in fixed-size chunks: memory is
// bounded by the lines asked for (and a hard byte cap), never by the file size.
import { open } from 'node:fs/promises';

const NEWLINE = 0x0a;

export interface TailOptions {
  chunkBytes?: number;
  /** Stop reading backwards after this many bytes even if fewer lines were found (very long lines). */
  maxBytes?: number;
}

/** Up to `n` last lines of `file` (without line terminators); [] when the file does not exist. */
export async function tailLines(file: string, n: number, opts: TailOptions = {}): Promise<string[]> {
  const chunkBytes = opts.chunkBytes ?? 64 * 1024;
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  if (n <= 0) return [];
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    const size = (await handle.stat()).size;
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    let read = 0;
    // n complete lines need n+1 newlines before them (or the start of the file); a final newline adds one more.
    while (position > 0 && newlines <= n && read < maxBytes) {
      const length = Math.min(chunkBytes, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      const filled = chunk.subarray(0, bytesRead);
      chunks.unshift(filled);
      read += bytesRead;
      for (let i = 0; i < filled.length; i++) if (filled[i] === NEWLINE) newlines++;
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    // Unless we reached the start of the file, the first piece is the tail of a longer line: drop it.
    if (position > 0) lines.shift();
    return lines.slice(-n).map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  } finally {
    await handle.close();
  }
}
