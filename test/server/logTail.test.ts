import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
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
