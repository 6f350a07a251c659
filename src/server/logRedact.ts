// What the log endpoints show a client: the log lines without file paths and stack frames (the file on disk keeps
// them for the operator). URL paths after an HTTP method ("GET /api/movies/1 200") are request paths, not files,
// and stay.
import { Transform, type TransformCallback } from 'node:stream';

const STACK_FRAME = /^\s+at\s/;
// An absolute path of two or more segments (or a Windows one), or a relative ./ ../ path, after a separator.
const FILE_PATH = /(^|[\s'"`(=:])((?:[A-Za-z]:\\|\.{1,2}\/)[^\s'"`,()]*|(?:\/[^\s'"`,():/]+){2,}\/?)/g;
const AFTER_METHOD = /\b(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT) $/;

/** The line with file paths replaced by `<path>`; null for a stack frame line (left out). */
export function redactLogLine(line: string): string | null {
  if (STACK_FRAME.test(line)) return null;
  return line.replace(FILE_PATH, (match: string, before: string, path: string, offset: number) => {
    const preceding = line.slice(0, offset + before.length);
    return AFTER_METHOD.test(preceding) ? match : `${before}<path>`;
  });
}

export function redactLogLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const redacted = redactLogLine(line);
    if (redacted !== null) out.push(redacted);
  }
  return out;
}

/** A stream transform applying redactLogLine to each line of UTF-8 text. */
export function redactingStream(): Transform {
  let pending = '';
  const emit = (stream: Transform, line: string): void => {
    const redacted = redactLogLine(line);
    if (redacted !== null) stream.push(`${redacted}\n`);
  };
  return new Transform({
    decodeStrings: true,
    transform(this: Transform, chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      // A chunk boundary may split a multi-byte character: decode only complete lines.
      const text = pending + chunk.toString('latin1');
      const lines = text.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emit(this, Buffer.from(line, 'latin1').toString('utf8'));
      done();
    },
    flush(this: Transform, done: TransformCallback) {
      if (pending) {
        const redacted = redactLogLine(Buffer.from(pending, 'latin1').toString('utf8'));
        if (redacted !== null) this.push(redacted);
      }
      done();
    },
  });
}
