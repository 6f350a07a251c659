// npm run bench:import-spark [-- --users N --movies N --rank N --runs N]
//
// Import of a 25M-shape Spark MLlib ALSModel (issue 14: <= 5 s). Spark writes the folder (bench/interop/
// spark_model.py: a real ALSModel's metadata, generated factor tables in Spark's schema, 10 snappy part files each),
// from the pyspark of test/.venv; then `MyRecModel.importSpark` reads, checks and saves it `--runs` times into a fresh
// DATA_DIR each, and the median of the import's own `seconds` (read + check + atomic save) is reported. Never part of
// `npm test`; the figures go to docs/interop.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { MyRecModel } from '../../src/model/index.js';
import { ensureTestVenv } from '../../test/helpers/python.js';
import { log, pythonEnv, ROOT, runJson } from '../shared.js';

/** MovieLens 25M: its users and movies; rank 64, this project's usual serving rank (Spark's default is 10). */
const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '162541' },
    movies: { type: 'string', default: '59047' },
    rank: { type: 'string', default: '64' },
    runs: { type: 'string', default: '5' },
  },
});

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'movierec-bench-spark-'));
  try {
    const folder = path.join(work, 'als-model');
    log(`writing a ${values.users} x ${values.movies} rank-${values.rank} ALSModel with Spark`);
    const written = runJson(
      ensureTestVenv(),
      [path.join(ROOT, 'bench', 'interop', 'spark_model.py'), folder, values.users!, values.movies!, values.rank!],
      pythonEnv(),
    );
    const seconds: number[] = [];
    for (let run = 0; run < Number(values.runs); run++) {
      const model = new MyRecModel({ dataDir: path.join(work, `data-${run}`) });
      const result = await model.importSpark(folder);
      seconds.push(result.seconds);
      log(`  import ${run + 1}: ${result.seconds.toFixed(2)} s (${result.counts.users} users, ${result.counts.movies} movies)`);
      fs.rmSync(path.join(work, `data-${run}`), { recursive: true, force: true });
    }
    const sorted = [...seconds].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(JSON.stringify({ written, runs: seconds, medianSeconds: median, cores: os.cpus().length }));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main();
