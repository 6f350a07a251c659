// Reader fuzzing through the addon, as the CLI and the service call it: a valid ratings file beside a mutated movies
// file in each of the three layouts (movies.csv, movies.dat in latin-1, u.item with u.genre), and mutated ratings lines.
// Mutations: bytes replaced, inserted and removed, multi-byte UTF-8 and latin-1 bytes, huge numbers, empty fields,
// separators of the other layouts, quotes, CR and NUL. The Rust readers have their own proptest
// (native/core/tests/readers.rs, ratings only); this one also covers the movies readers and the napi boundary, where a
// Rust panic aborts the whole Node process. The promise: never a crash; a file is read, or refused with an Error
// (code DATASET_ERROR) that names the file, and a parse error names a line of that file.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { native } from '../../src/native';
import { FIXTURES } from '../helpers/paths';

const RUNS = Number(process.env.READER_FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const root = mkdtempSync(join(tmpdir(), 'movierec-readers-fuzz-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Layout {
  ratingsName: string;
  ratings: string;
  moviesName: string;
  moviesLines: Buffer[];
  extra?: Record<string, Buffer>;
}

const lines = (file: string): Buffer[] => {
  const bytes = readFileSync(join(FIXTURES, file));
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      if (i > start) out.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return out;
};

// The committed fixtures are the valid starting points (movies.dat is latin-1, movies.csv has quoted titles).
const LAYOUTS: Layout[] = [
  { ratingsName: 'ratings.csv', ratings: 'userId,movieId,rating,timestamp\n1,1,4.0,0\n2,2,3.5,0\n', moviesName: 'movies.csv', moviesLines: lines('ml-latest/movies.csv') },
  { ratingsName: 'ratings.dat', ratings: '1::1::5\n2::2::3\n', moviesName: 'movies.dat', moviesLines: lines('ml-1m/movies.dat') },
  {
    ratingsName: 'u.data',
    ratings: '1\t1\t5\t0\n2\t2\t3\t0\n',
    moviesName: 'u.item',
    moviesLines: lines('ml-100k/u.item'),
    extra: { 'u.genre': readFileSync(join(FIXTURES, 'ml-100k', 'u.genre')) },
  },
];

// Byte sequences a hostile or damaged file holds: other layouts' separators, multi-byte UTF-8 (é, 🎬), a lone UTF-8
// lead byte, latin-1 é, NUL, CR, quotes, huge and negative numbers.
const INSERTS = [
  '::', ',', '|', '\t', '"', '""', '\r', '\0', ' ', '-1', '99999999999999999999', '4294967296', '1e309', 'NaN', 'é', '🎬',
].map((s) => Buffer.from(s, 'utf8'));
INSERTS.push(Buffer.from([0xc3]), Buffer.from([0xe9]), Buffer.from([0xff, 0xfe]));

// Positions and lines near the start are drawn more often: the first line decides the layout.
const edit = fc.record({
  at: fc.oneof(fc.nat({ max: 12 }), fc.nat({ max: 200 })),
  kind: fc.constantFrom('insert', 'replace', 'remove', 'empty-field', 'random-byte'),
  insert: fc.constantFrom(...INSERTS),
  byte: fc.integer({ min: 0, max: 255 }),
});

function mutate(line: Buffer, edits: { at: number; kind: string; insert: Buffer; byte: number }[]): Buffer {
  let bytes = Buffer.from(line);
  for (const { at, kind, insert, byte } of edits) {
    const i = at % (bytes.length + 1);
    if (kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), insert, bytes.subarray(i)]);
    else if (kind === 'replace' && i < bytes.length) bytes = Buffer.concat([bytes.subarray(0, i), insert, bytes.subarray(i + 1)]);
    else if (kind === 'remove' && i < bytes.length) bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
    else if (kind === 'random-byte') bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
    else if (kind === 'empty-field') {
      // Drop what lies between two separators of any layout.
      const text = bytes.toString('latin1');
      const from = text.slice(0, i).search(/(::|,|\||\t)[^:,|\t]*$/);
      const to = text.slice(i).search(/::|,|\||\t/);
      if (from >= 0 && to >= 0) bytes = Buffer.concat([bytes.subarray(0, from + 1), bytes.subarray(i + to)]);
    }
  }
  return bytes;
}

/** A file of the layout's valid lines, some mutated (or, rarely, pure noise), plus which 1-based lines were touched. */
const moviesCase = fc.record({
  layout: fc.nat({ max: LAYOUTS.length - 1 }),
  mutations: fc.array(fc.record({ line: fc.oneof(fc.constant(0), fc.nat()), edits: fc.array(edit, { minLength: 1, maxLength: 4 }) }), { minLength: 1, maxLength: 4 }),
  noise: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 }),
  crlf: fc.boolean(),
});

function read(path: string): { ok: true } | { ok: false; error: Error & { code?: string } } {
  try {
    native.readDatasetSync(path);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error as Error & { code?: string } };
  }
}

/** The refusal names the file; a `file:N:` message points at a line that exists. */
function assertClearRefusal(error: Error & { code?: string }, file: string, lineCount: number): void {
  assert.ok(error instanceof Error, `not an Error: ${String(error)}`);
  assert.equal(error.code, 'DATASET_ERROR', error.message);
  assert.ok(error.message.includes(file), `the message does not name ${file}: ${error.message}`);
  const at = error.message.slice(file.length).match(/^:(\d+):/);
  if (error.message.startsWith(file) && at) {
    const line = Number(at[1]);
    assert.ok(line >= 1 && line <= lineCount, `line ${line} of a ${lineCount}-line file: ${error.message}`);
  }
}

// Two files this fuzzing found to abort the process (a str slice inside a character; overlapping `::` separators).
test('regressions: a multi-byte character at byte 8 of a movies.csv header, `:::` in movies.dat', () => {
  const cases = [
    { layout: LAYOUTS[0], movies: 'movieIdé,title,genres\n1,A,B\n', expect: /unknown movies layout/ },
    {
      layout: LAYOUTS[1],
      movies: '1::Toy Story (1995)::Animation\n260:::Action|Adventure\n',
      expect: /movies\.dat:2: expected 'id::title::genres', found 2 fields/,
    },
  ];
  for (const [i, { layout, movies, expect }] of cases.entries()) {
    const dir = join(root, `regression${i}`);
    mkdirSync(dir);
    writeFileSync(join(dir, layout.ratingsName), layout.ratings);
    writeFileSync(join(dir, layout.moviesName), movies);
    const result = read(join(dir, layout.ratingsName));
    assert.ok(!result.ok, `${layout.moviesName} was accepted`);
    assertClearRefusal(result.error, join(dir, layout.moviesName), 3);
    assert.match(result.error.message, expect);
  }
});

test(`movies files in three layouts, ${RUNS} mutated files: read or refused with the file and line, never a crash`, () => {
  let n = 0;
  const outcomes = { read: 0, refused: 0, withLine: 0 };
  fc.assert(
    fc.property(moviesCase, ({ layout, mutations, noise, crlf }) => {
      const spec = LAYOUTS[layout];
      const body: Buffer[] = spec.moviesLines.map((line) => Buffer.from(line));
      for (const { line, edits } of mutations) body[line % body.length] = mutate(body[line % body.length], edits);
      const eol = Buffer.from(crlf ? '\r\n' : '\n');
      const content = noise ? Buffer.from(noise) : Buffer.concat(body.flatMap((line) => [line, eol]));
      const dir = join(root, `m${n++}`);
      mkdirSync(dir);
      writeFileSync(join(dir, spec.ratingsName), spec.ratings);
      writeFileSync(join(dir, spec.moviesName), content);
      for (const [name, bytes] of Object.entries(spec.extra ?? {})) writeFileSync(join(dir, name), bytes);
      const result = read(join(dir, spec.ratingsName));
      if (result.ok) outcomes.read++;
      else {
        outcomes.refused++;
        if (/:\d+: /.test(result.error.message)) outcomes.withLine++;
        assertClearRefusal(result.error, join(dir, spec.moviesName), content.toString('latin1').split('\n').length);
      }
      rmSync(dir, { recursive: true, force: true });
    }),
    { numRuns: RUNS, seed: SEED },
  );
  console.log(`movies fuzz: ${JSON.stringify(outcomes)}`);
  // Both outcomes happen: the mutations are neither all harmless nor all fatal.
  assert.ok(outcomes.read > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
});

test(`ratings files in three layouts, ${RUNS} mutated files, strict and skipping: never a crash`, () => {
  let n = 0;
  const outcomes = { read: 0, refused: 0 };
  fc.assert(
    fc.property(
      fc.nat({ max: LAYOUTS.length - 1 }),
      fc.array(fc.record({ line: fc.nat(), edits: fc.array(edit, { minLength: 1, maxLength: 4 }) }), { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      (layout, mutations, skipInvalid) => {
        const spec = LAYOUTS[layout];
        const body: Buffer[] = spec.ratings.trimEnd().split('\n').map((line) => Buffer.from(line));
        // Never the CSV header: it decides the layout, and is covered by the noise cases of the Rust proptest.
        const first = spec.ratingsName === 'ratings.csv' ? 1 : 0;
        for (const { line, edits } of mutations) {
          const i = first + (line % (body.length - first));
          body[i] = mutate(body[i], edits);
        }
        const content = Buffer.concat(body.flatMap((line) => [line, Buffer.from('\n')]));
        const dir = join(root, `r${n++}`);
        mkdirSync(dir);
        const file = join(dir, spec.ratingsName);
        writeFileSync(file, content);
        try {
          native.readDatasetSync(file, { skipInvalid });
          outcomes.read++;
        } catch (error) {
          outcomes.refused++;
          assertClearRefusal(error as Error & { code?: string }, file, body.length + 1);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    ),
    { numRuns: RUNS, seed: SEED },
  );
  console.log(`ratings fuzz: ${JSON.stringify(outcomes)}`);
  assert.ok(outcomes.read > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
});
