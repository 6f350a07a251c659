// npm run bench:ranking [-- --datasets ml-1m,ml-latest-small] [--skip implicit] [--out FILE] [--render FILE]
//
// Top-N quality (issue 5), every figure from this one run, never part of `npm test`:
// - per user, about 20% of the ratings held out (core `split_per_user`, seed 42); relevant = a held-out rating >= 4;
// - rows: popularity, this project's explicit model (defaults), its implicit mode (`--feedback implicit` defaults),
//   and `implicit` (PyPI) CPU ALS with the same factors, iterations, CG steps and confidence 1 + alpha * rating, run
//   from bench/.venv (bench/reference/requirements.txt, installed by the same code as `npm run bench`);
// - `implicit` writes its top-10 lists to a file and movierec-bench scores them with the core's metric code
//   (`metrics::evaluate_lists`), so every row is measured by one definition.
// Prints a table and writes JSON (bench/results/ranking.json unless --out).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { BENCH_BIN, buildBenchBinary, ensureVenv, log, machine, pythonEnv, ROOT, runJson, type Machine } from '../shared.js';
import type { RankingMetrics } from '../../src/model/types.js';

/** `implicit`'s own default regularisation (plain lambda; movierec's implicit mode scales lambda by each row's count). */
const IMPLICIT_REG = 0.01;
const K = 10;
const DATASETS: Record<string, string> = {
  'ml-1m': '../shared/movielens/ml-1m/ratings.dat',
  'ml-latest-small': '../shared/movielens/ml-latest-small/ratings.csv',
};

interface Row {
  method: string;
  ranking: RankingMetrics;
  trainSeconds?: number;
  fitSeconds?: number;
}
interface DatasetResult {
  name: string;
  file: string;
  trainRatings: number;
  testRatings: number;
  users: number;
  movies: number;
  rows: Row[];
  skipped?: string;
}
interface RankingResults {
  date: string;
  command: string;
  machine: Machine;
  holdout: number;
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

function runDataset(name: string, relative: string, skipImplicit: boolean): DatasetResult {
  const file = join(ROOT, relative);
  const dir = join(ROOT, 'bench', '.cache', 'ranking', name);
  mkdirSync(dir, { recursive: true });
  log(`${name}: per-user 80/20 split (seed 42), training part for the reference`);
  const split = runJson(BENCH_BIN, ['ranking-split', '--file', file, '--out', dir, '--holdout', '0.2', '--seed', '42']) as {
    train: string;
    implicit: { factors: number; iterations: number; cgSteps: number; alpha: number };
  };
  const lists: string[] = [];
  let implicitFit: Record<string, unknown> | undefined;
  let skipped: string | undefined;
  if (skipImplicit) {
    skipped = 'implicit: skipped by --skip implicit';
  } else {
    try {
      const python = ensureVenv();
      const p = split.implicit;
      const out = join(dir, 'implicit-top10.csv');
      log(`${name}: implicit (PyPI) ALS, ${p.factors} factors, ${p.iterations} iterations, ${p.cgSteps} CG steps`);
      implicitFit = runJson(
        python,
        [
          join(ROOT, 'bench', 'reference', 'reference.py'), 'ranking', '--file', split.train, '--out', out,
          '--factors', String(p.factors), '--iters', String(p.iterations), '--cg-steps', String(p.cgSteps),
          '--alpha', String(p.alpha), '--reg', String(IMPLICIT_REG), '--threads', '2', '--k', String(K),
        ],
        pythonEnv(),
      );
      lists.push(`implicit ${String(implicitFit.library).split(' ')[1] ?? ''} ALS (CG)=${out}`);
    } catch (err) {
      skipped = `implicit: ${err instanceof Error ? err.message : String(err)}`;
      log(`SKIPPED ${skipped}`);
    }
  }
  log(`${name}: movierec explicit and implicit models, popularity, scoring every list`);
  const scored = runJson(BENCH_BIN, [
    'ranking', '--file', file, '--holdout', '0.2', '--seed', '42', '--k', String(K), '--lists', lists.join(','),
  ]) as unknown as Omit<DatasetResult, 'name'>;
  const rows = scored.rows.map((row) =>
    implicitFit && row.method.startsWith('implicit ') ? { ...row, fitSeconds: implicitFit.fitSeconds as number, params: implicitFit } : row,
  );
  return { ...scored, name, file: relative, rows, ...(skipped ? { skipped } : {}) };
}

function fmt(x: number | undefined, digits = 4): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-';
}

export function renderRanking(r: RankingResults): string {
  const lines = [
    `movierec ranking bench, ${r.date}: \`${r.command}\``,
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, node ${r.machine.node}`,
    `Per user ${r.holdout * 100}% of the ratings held out (seed ${r.seed}); relevant = held-out rating >= 4; k = ${r.k}.`,
    '',
    `| data set | method | P@${r.k} | R@${r.k} | NDCG@${r.k} | MAP@${r.k} | coverage | users | train s |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const d of r.datasets) {
    for (const row of d.rows) {
      const m = row.ranking;
      const seconds = row.trainSeconds ?? row.fitSeconds;
      lines.push(
        `| ${d.name} | ${row.method} | ${fmt(m.precision)} | ${fmt(m.recall)} | ${fmt(m.ndcg)} | ${fmt(m.map)} | ` +
          `${fmt(m.coverage)} | ${m.users} | ${seconds === undefined ? '' : fmt(seconds, 1)} |`,
      );
    }
    if (d.skipped) lines.push(`| ${d.name} | ${d.skipped} | | | | | | | |`);
  }
  return lines.join('\n');
}

function main(): void {
  const started = Date.now();
  const names = (flag('--datasets') ?? Object.keys(DATASETS).join(',')).split(',').filter(Boolean);
  for (const n of names) if (!(n in DATASETS)) throw new Error(`unknown data set ${n}; expected ${Object.keys(DATASETS).join(', ')}`);
  const skipImplicit = (flag('--skip') ?? '').split(',').includes('implicit');
  const out = flag('--out') ?? join(ROOT, 'bench', 'results', 'ranking.json');
  buildBenchBinary();
  const results: RankingResults = {
    date: new Date().toISOString(),
    command: ['npm run bench:ranking', ...(argv.length ? ['--', ...argv] : [])].join(' '),
    machine: machine(),
    holdout: 0.2,
    seed: 42,
    k: K,
    datasets: names.map((n) => runDataset(n, DATASETS[n], skipImplicit)),
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
