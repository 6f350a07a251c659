// npm run bench [-- --quick] [--skip spark,implicit,pandas,eventloop,save] [--out FILE]
//
// Performance at scale (issue 6), every figure from this one run:
// - data: the project's generator writes an ML-25M-shaped ratings.csv (162,541 users, 59,047 movies, 25,000,095
//   ratings; `--quick`: the 5M-rating one), cached under bench/.cache;
// - movierec (native/bench, one process per measurement so each peak RSS is its own): parse time; explicit ALS
//   seconds per iteration at 32/64/128 factors (and at 64 with `solver: cg`); implicit ALS per iteration; peak RSS; model save and load; fold-in
//   latency over 10,000 users;
// - the JS event-loop delay while the addon trains (bench/eventloop.ts, through src/model);
// - references in bench/.venv (bench/reference/requirements.txt), each skipped with a message when unavailable:
//   pandas.read_csv, `implicit` CPU ALS (same matrix, loss, factors, iterations, CG steps), Spark MLlib ALS local[2].
// Prints a table and writes JSON (bench/results/<full|quick>.json unless --out).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { BENCH_BIN, buildBenchBinary, ensureVenv, log, machine, pythonEnv, ROOT, runJson } from './shared.js';
import { renderTable, type Results } from './table.js';

const CACHE = join(ROOT, 'bench', '.cache');

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const skip = new Set((flag('--skip') ?? '').split(',').filter(Boolean));
const out = flag('--out') ?? join(ROOT, 'bench', 'results', quick ? 'quick.json' : 'full.json');

/** What each mode runs: iterations are few because per-iteration time is steady after the first. */
const PLAN = quick
  ? { preset: 'ml5m', explicitFactors: [32, 64, 128], iterations: 3, sparkIterations: 2, foldInUsers: 10_000 }
  : { preset: 'ml25m', explicitFactors: [32, 64, 128], iterations: 3, sparkIterations: 2, foldInUsers: 10_000 };

function flag(name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
}

/** A step that may be unavailable: its failure is recorded as a skip with the reason, not fatal. */
function optional(name: string, results: Results, body: () => Record<string, unknown>): void {
  if (skip.has(name)) {
    results.skipped[name] = 'skipped by --skip';
    return;
  }
  try {
    results.measured[name] = body();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    log(`SKIPPED ${name}: ${reason}`);
    results.skipped[name] = reason;
  }
}

function ensureDataset(preset: string): string {
  const dir = join(CACHE, preset);
  const file = join(dir, 'ratings.csv');
  if (!existsSync(file)) {
    log(`generating the ${preset} data set into ${dir} (cached for later runs)`);
    runJson(BENCH_BIN, ['gen', '--preset', preset, '--out', dir]);
  }
  return file;
}

function main(): void {
  const startedAt = Date.now();
  const results: Results = {
    mode: quick ? 'quick' : 'full',
    date: new Date().toISOString(),
    command: `npm run bench${quick ? ' -- --quick' : ''}`,
    machine: machine(),
    measured: {},
    skipped: {},
  };
  buildBenchBinary();
  const file = ensureDataset(PLAN.preset);
  results.dataset = { preset: PLAN.preset, file: file.replace(`${ROOT}/`, '') };
  const it = String(PLAN.iterations);

  log('movierec: parse ratings.csv (3 runs)');
  results.measured.parse = runJson(BENCH_BIN, ['parse', '--file', file, '--repeat', '3']);

  const modelDir = join(CACHE, `model-${PLAN.preset}`);
  for (const factors of PLAN.explicitFactors) {
    const extra: string[] = [];
    if (factors === 64) {
      extra.push('--foldin', String(PLAN.foldInUsers));
      if (!skip.has('save')) extra.push('--save', modelDir);
    }
    log(`movierec: explicit ALS, ${factors} factors, ${it} iterations${extra.length ? ', fold-in, save' : ''}`);
    results.measured[`explicit${factors}`] = runJson(BENCH_BIN, [
      'train', '--file', file, '--feedback', 'explicit', '--factors', String(factors), '--iters', it, ...extra,
    ]);
  }
  log(`movierec: explicit ALS, 64 factors, ${it} iterations, solver cg (3 warm-started CG steps per row)`);
  results.measured.explicit64cg = runJson(BENCH_BIN, [
    'train', '--file', file, '--feedback', 'explicit', '--factors', '64', '--iters', it, '--solver', 'cg', '--cg-steps', '3',
  ]);
  optional('load', results, () => {
    if (skip.has('save')) throw new Error('needs the saved model (--skip save)');
    log('movierec: model load (fresh process, 5 loads)');
    return runJson(BENCH_BIN, ['load', '--dir', modelDir, '--repeat', '5']);
  });
  log(`movierec: implicit ALS, 64 factors, ${it} iterations, fold-in`);
  results.measured.implicit64 = runJson(BENCH_BIN, [
    'train', '--file', file, '--feedback', 'implicit', '--factors', '64', '--iters', it, '--foldin', String(PLAN.foldInUsers),
  ]);

  optional('eventloop', results, () => {
    if (!existsSync(join(ROOT, 'native', 'node', 'index.js'))) throw new Error('the addon is not built (npm run build)');
    log('movierec through the addon: event-loop delay while MyRecModel.train runs (64 factors)');
    const dataDir = join(CACHE, 'eventloop-data');
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    return runJson(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'eventloop.ts'), file, dataDir, '64', it], {
      ...process.env,
      DATA_DIR: dataDir,
    });
  });

  let python: string | undefined;
  const withPython = (name: string, body: (py: string) => Record<string, unknown>): void =>
    optional(name, results, () => {
      python ??= ensureVenv();
      return body(python);
    });
  const reference = join(ROOT, 'bench', 'reference', 'reference.py');
  withPython('pandas', (py) => {
    log('reference: pandas.read_csv (3 runs)');
    return runJson(py, [reference, 'pandas', '--file', file, '--repeat', '3'], pythonEnv());
  });
  withPython('implicit', (py) => {
    log(`reference: implicit ALS (CG), 64 factors, ${it} iterations`);
    const params = results.measured.implicit64 as { cgSteps: number };
    return runJson(py, [reference, 'implicit', '--file', file, '--factors', '64', '--iters', it, '--cg-steps', String(params.cgSteps), '--threads', '2'], pythonEnv());
  });
  withPython('spark', (py) => {
    log(`reference: Spark MLlib ALS local[2], 64 factors, fits of 1 and ${PLAN.sparkIterations} iterations`);
    return runJson(py, [reference, 'spark', '--file', file, '--factors', '64', '--iters', String(PLAN.sparkIterations)], pythonEnv());
  });

  results.totalSeconds = (Date.now() - startedAt) / 1000;
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(renderTable(results) + '\n');
  log(`wrote ${out} (total ${results.totalSeconds.toFixed(0)} s)`);
}

// Re-render a stored result without running anything: `npm run bench -- --render FILE`.
const render = flag('--render');
if (render) {
  process.stdout.write(renderTable(JSON.parse(readFileSync(render, 'utf8')) as Results) + '\n');
} else {
  main();
}
