import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { redactingStream, redactLogLine } from '../../src/server/logRedact.js';
import { tailLines } from '../../src/server/logTail.js';

const dir = mkdtempSync(join(tmpdir(), 'movierec-tail-'));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('tailLines', () => {
  const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`);
  const big = file('big.log', `${lines.join('\n')}\n`);

  test('returns the last n lines, oldest first, with tiny chunks crossing line boundaries', async () => {
    for (const chunkBytes of [1, 7, 64, 4096, 1 << 20]) {
      assert.deepEqual(await tailLines(big, 20, { chunkBytes }), lines.slice(-20), `chunk ${chunkBytes}`);
    }
  });

  test('n larger than the file gives every line', async () => {
    assert.deepEqual(await tailLines(big, 10_000, { chunkBytes: 100 }), lines);
  });

  test('a file without a final newline keeps its last line', async () => {
    const path = file('nofinal.log', 'a\nb\nc');
    assert.deepEqual(await tailLines(path, 2, { chunkBytes: 1 }), ['b', 'c']);
    assert.deepEqual(await tailLines(path, 5), ['a', 'b', 'c']);
  });

  test('CRLF line ends are stripped; multi-byte characters survive chunk splits', async () => {
    const path = file('crlf.log', 'première\r\nélève ☃\r\nfin\r\n');
    assert.deepEqual(await tailLines(path, 2, { chunkBytes: 3 }), ['élève ☃', 'fin']);
  });

  test('reads only up to maxBytes from the end (a huge line does not load the whole file)', async () => {
    const path = file('huge.log', `${'y'.repeat(100_000)}\nshort\n`);
    const got = await tailLines(path, 2, { chunkBytes: 1000, maxBytes: 5000 });
    assert.deepEqual(got, ['short'], 'the partial huge line is dropped, not returned truncated');
  });

  test('missing file gives [], empty file gives []', async () => {
    assert.deepEqual(await tailLines(join(dir, 'absent.log'), 20), []);
    assert.deepEqual(await tailLines(file('empty.log', ''), 20), []);
  });
});

describe('log redaction', () => {
  test('file paths become <path>, request paths stay, stack frames go', () => {
    assert.equal(redactLogLine('INFO http [1] POST /predict 200 0.2ms id=x'), 'INFO http [1] POST /predict 200 0.2ms id=x');
    assert.equal(redactLogLine('WARN http [1] GET /api/log -> 400 INVALID_INPUT: n'), 'WARN http [1] GET /api/log -> 400 INVALID_INPUT: n');
    assert.equal(redactLogLine('INFO model [1] training on /data/sets/ml-1m/ratings.dat: 5 ratings'), 'INFO model [1] training on <path>: 5 ratings');
    assert.equal(redactLogLine('no model at ../data/model (C:\\movies\\model)'), 'no model at <path> (<path>)');
    assert.equal(redactLogLine('    at tailLines (/srv/app/logTail.ts:41:7)'), null);
  });

  test('the stream form redacts line by line, whatever the chunk boundaries (multi-byte characters included)', async () => {
    const input = Buffer.from('élève /home/a/b.csv ok\n    at x (/a/b.js:1:1)\nGET /api/x 200\nfin sans retour /tmp/x/y');
    const expected = 'élève <path> ok\nGET /api/x 200\nfin sans retour <path>';
    for (const size of [1, 2, 3, 7, 1000]) {
      const out: Buffer[] = [];
      const stream = redactingStream();
      stream.on('data', (c: Buffer) => out.push(c));
      const done = new Promise((ok) => stream.on('end', ok));
      for (let i = 0; i < input.length; i += size) stream.write(input.subarray(i, i + size));
      stream.end();
      await done;
      assert.equal(Buffer.concat(out).toString('utf8'), expected, `chunks of ${size}`);
    }
  });
});
