// npm run bench:ranking [-- --datasets ml-1m,ml-latest-small] [--seed 42] [--skip references] [--out FILE] [--render FILE]
//
// The lists new users get (issue 13), every figure from this one run on one split, never part of `npm test`:
// - 10% of the users held out whole (core `split_users`, as `movierec split --by users`; --seed, default 42); each
//   held-out user's ratings split into a given and a target half by the core's `new_user_halves` (what `movierec
//   evaluate --new-users` does); liked = a target rating >= the scale's liked threshold (4 of 5);
// - rows: popularity, the product with its defaults (rating + ranking model; default order, and by ranking score),
//   the product with `--ranking none`, EASE and `implicit` ALS (bench/reference/new_users.py, pinned in
//   bench/reference/requirements.txt) fit on the training part and given each held-out user's given half;
// - the references write their top-k lists and movierec-bench scores them with the core's new-user metric code
//   (`metrics::evaluate_new_user_lists`), so every row is measured by one definition.
// Prints a table and writes JSON (bench/results/ranking.json unless --out).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { BENCH_BIN, buildBenchBinary, ensureVenv, log, machine, pythonEnv, ROOT, runJson, type Machine } from '../shared.js';
import type { RankingMetrics } from '../../src/model/types.js';

const K = 10;
const IMPLICIT_ITERATIONS = 15;
/** The references' settings per data set, as chosen on validation splits (docs/tuning.md). The product's own alpha and
 * lambda come from the training data's size (`als::implicit`); `movierec-bench ranking --ranking-alpha-reg A,L` adds a
 * row with others, for exploration. */
interface Dataset {
  file: string;
  easeLambda: number;
  implicit: { factors: number; alpha: number; reg: number };
}
const DATASETS: Record<string, Dataset> = {
  'ml-1m': {
    file: '../shared/movielens/ml-1m/ratings.dat',
    easeLambda: 2000,
    implicit: { factors: 128, alpha: 10, reg: 100 },
  },
  'ml-latest-small': {
    file: '../shared/movielens/ml-latest-small/ratings.csv',
    easeLambda: 500,
    implicit: { factors: 128, alpha: 1, reg: 10 },
  },
};

interface Row {
  method: string;
  ranking: RankingMetrics;
  rankingParams?: { alpha: number; regFactors: number; confidence: string };
  fitSeconds?: number;
  listSeconds?: number;
}
interface DatasetResult {
  name: string;
  file: string;
  protocol: Record<string, unknown>;
  users: number;
  movies: number;
  rows: Row[];
  references?: Record<string, unknown>;
  skipped?: string;
}
interface RankingResults {
  date: string;
  command: string;
  machine: Machine;
  seed: number;
  k: number;
  datasets: DatasetResult[];
  totalSeconds?: number;
}

const argv = process.argv.slice(2);
function flag(name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
}

interface Reference {
  lists: string;
  fitSeconds: number;
  listSeconds: number;
}

/** EASE and `implicit` from the given halves; the rows' names say their settings. */
function runReferences(name: string, d: Dataset, split: { train: string; given: string }, dir: string) {
  const python = ensureVenv();
  log(`${name}: EASE (lambda ${d.easeLambda}) and implicit ALS (${d.implicit.factors} factors) from the given halves`);
  const out = runJson(
    python,
    [
      join(ROOT, 'bench', 'reference', 'new_users.py'), '--train', split.train, '--given', split.given, '--out', dir,
      '--k', String(K), '--ease-lambda', String(d.easeLambda), '--factors', String(d.implicit.factors),
      '--alpha', String(d.implicit.alpha), '--reg', String(d.implicit.reg), '--iters', String(IMPLICIT_ITERATIONS),
      '--threads', '2',
    ],
    pythonEnv(),
  ) as { blas: unknown; ease: Reference; implicit: Reference & { library: string } };
  const i = d.implicit;
  // Keyed by the list names movierec-bench reports back; the values name the rows.
  const rows: Record<string, Reference & { method: string }> = {
    ease: { ...out.ease, method: `EASE (X binary, lambda ${d.easeLambda})` },
    implicit: {
      ...out.implicit,
      method: `${out.implicit.library} ALS (binary, alpha ${i.alpha}, reg ${i.reg}, ${i.factors} f, recalculate_user)`,
    },
  };
  return { rows, report: out };
}

function runDataset(name: string, d: Dataset, seed: number, skipReferences: boolean): DatasetResult {
  const dir = join(ROOT, 'bench', '.cache', 'ranking', name);
  mkdirSync(dir, { recursive: true });
  const common = ['--file', join(ROOT, d.file), '--seed', String(seed)];
  log(`${name}: 10% of the users held out (seed ${seed}), their given halves for the references`);
  const split = runJson(BENCH_BIN, ['ranking-split', ...common, '--out', dir]) as { train: string; given: string };
  let references: ReturnType<typeof runReferences> | undefined;
  let skipped: string | undefined;
  if (skipReferences) skipped = 'EASE and implicit: skipped by --skip references';
  else {
    try {
      references = runReferences(name, d, split, dir);
    } catch (err) {
      skipped = `EASE and implicit: ${err instanceof Error ? err.message : String(err)}`;
      log(`SKIPPED ${skipped}`);
    }
  }
  const lists = Object.entries(references?.rows ?? {}).map(([key, r]) => `${key}=${r.lists}`);
  log(`${name}: movierec with its defaults (rating + ranking model), popularity, scoring every list`);
  const scoring = ['ranking', ...common, '--k', String(K), '--lists', lists.join(',')];
  const scored = runJson(BENCH_BIN, scoring) as unknown as
    Omit<DatasetResult, 'name' | 'file'>;
  const rows = scored.rows.map((row) => {
    const r = references?.rows[row.method];
    return r ? { ...row, method: r.method, fitSeconds: r.fitSeconds, listSeconds: r.listSeconds } : row;
  });
  return { ...scored, name, file: d.file, rows, references: references?.report, ...(skipped ? { skipped } : {}) };
}

function fmt(x: number | null | undefined, digits = 4): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-';
}

export function renderRanking(r: RankingResults): string {
  const lines = [
    `movierec ranking bench (new users), ${r.date}: \`${r.command}\``,
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, node ${r.machine.node}`,
    `10% of the users held out (seed ${r.seed}); each one's ratings half given, half target; liked = target rating >= 4; k = ${r.k}.`,
  ];
  for (const d of r.datasets) {
    const blas = (d.references?.blas as { internal_api: string; version: string; architecture: string; num_threads: number }[] | undefined)
      ?.map((b) => `${b.internal_api} ${b.version} ${b.architecture}, ${b.num_threads} thread(s)`)
      .join('; ');
    const ranking = d.rows.find((row) => row.rankingParams)?.rankingParams;
    const defaults = ranking ? `; default ranking model: ${ranking.confidence}, alpha ${fmt(ranking.alpha, 2)}, lambda ${fmt(ranking.regFactors, 1)}` : '';
    lines.push(
      '',
      `**${d.name}** (${d.users} held-out users scored, ${d.movies} movies${defaults}${blas ? `; Python BLAS: ${blas}` : ''})`,
      '',
      `| method | P@${r.k} | R@${r.k} | NDCG | MAP | coverage | novelty | diversity | fit s | lists s |`,
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const row of d.rows) {
      const m = row.ranking;
      lines.push(
        `| ${row.method} | ${fmt(m.precision)} | ${fmt(m.recall)} | ${fmt(m.ndcg)} | ${fmt(m.map)} | ${fmt(m.coverage)} | ` +
          `${fmt(m.novelty, 2)} | ${fmt(m.diversity, 3)} | ${fmt(row.fitSeconds, 1)} | ${fmt(row.listSeconds, 2)} |`,
      );
    }
    if (d.skipped) lines.push(`| ${d.skipped} | | | | | | | | | |`);
  }
  return lines.join('\n');
}

function main(): void {
  const started = Date.now();
  const names = (flag('--datasets') ?? Object.keys(DATASETS).join(',')).split(',').filter(Boolean);
  for (const n of names) if (!(n in DATASETS)) throw new Error(`--datasets: unknown data set ${n}; expected ${Object.keys(DATASETS).join(', ')}`);
  const seed = Number(flag('--seed') ?? 42);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed: expected a non-negative integer, got ${flag('--seed')}`);
  const skipReferences = (flag('--skip') ?? '').split(',').includes('references');
  const out = flag('--out') ?? join(ROOT, 'bench', 'results', 'ranking.json');
  buildBenchBinary();
  const results: RankingResults = {
    date: new Date().toISOString(),
    command: ['npm run bench:ranking', ...(argv.length ? ['--', ...argv] : [])].join(' '),
    machine: machine(),
    seed,
    k: K,
    datasets: names.map((n) => runDataset(n, DATASETS[n], seed, skipReferences)),
  };
  results.totalSeconds = (Date.now() - started) / 1000;
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(renderRanking(results) + '\n');
  log(`wrote ${out} (total ${results.totalSeconds.toFixed(0)} s)`);
}

const render = flag('--render');
if (render) process.stdout.write(renderRanking(JSON.parse(readFileSync(render, 'utf8')) as RankingResults) + '\n');
else main();
