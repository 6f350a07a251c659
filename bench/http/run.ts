// npm run bench:http: autocannon against POST /predict with 10-rating users, on the ml-1m model and on a synthetic
// model with 59,047 movies and 64 factors, for this service and for a minimal Python reference (Flask + numpy doing
// the same fold-in, gunicorn with one worker per core and one BLAS thread per worker), and the ratios.
//   (a) throughput: 50 connections for 30 s: requests/s, p50/p99 latency, errors, RSS before and after;
//   (b) latency at a fixed 1,000 requests/s for 30 s: p50/p99, from each request's due time (steady.ts: an open
//       loop sending one request every millisecond; autocannon's overallRate sends each second's requests in one
//       burst). During (a) the CPU of the server and of the load generator (this process) is reported: both share
//       the machine's cores.
// Models, data and the Python virtual environment are cached under bench/.cache and bench/.venv (gitignored).
// Environment: BENCH_SECONDS (default 30), BENCH_TARGETS (comma list of node-ml1m,node-synth,python-ml1m,
// python-synth; default all), BENCH_PY_WORKER_CLASS and BENCH_PY_THREADS (gunicorn worker class and threads per
// worker, default gthread and 4), BENCH_PY_ENV (`honest`, the default: the reference's BLAS environment set as below;
// `as-found`: the machine's environment as it is, to see what it costs), BENCH_SYNTH_ITERATIONS (ALS iterations of the synthetic model, default 3: serving cost
// does not depend on them).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { configureLogger, shutdownLogger } from '../../src/logger.js';
import { MyRecModel, generateDemoDataset } from '../../src/model/index.js';
import { ensureVenv, pythonEnv, VENV } from '../shared.js';
import { steadyRate } from './steady.js';

const ROOT = resolve(__dirname, '..', '..');
const CACHE = join(ROOT, 'bench', '.cache', 'http');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const SYNTH_ITERATIONS = Number(process.env.BENCH_SYNTH_ITERATIONS ?? 3);
const CORES = cpus().length;
const PY_WORKER_CLASS = process.env.BENCH_PY_WORKER_CLASS ?? 'gthread';
const PY_THREADS = Number(process.env.BENCH_PY_THREADS ?? 4);
const PY_ENV = process.env.BENCH_PY_ENV ?? 'honest';
const TARGETS = (process.env.BENCH_TARGETS ?? 'node-ml1m,node-synth,python-ml1m,python-synth').split(',');

interface ModelSpec {
  name: 'ml1m' | 'synth';
  label: string;
  dataDir: string;
  prepare: (model: MyRecModel) => Promise<void>;
}

const MODELS: ModelSpec[] = [
  {
    name: 'ml1m',
    label: 'ml-1m (3,706 movies, 64 factors)',
    dataDir: join(CACHE, 'ml1m'),
    prepare: async (model) => {
      await model.train(join(ROOT, '..', 'shared', 'movielens', 'ml-1m', 'ratings.dat'), { factors: 64 });
    },
  },
  {
    name: 'synth',
    label: 'synthetic ML-25M shape (59,047 movies, 64 factors)',
    dataDir: join(CACHE, 'synth'),
    prepare: async (model) => {
      const data = await generateDemoDataset(join(CACHE, 'synth-data'), { preset: 'ml25m' });
      // ALS: serving costs the same whatever trained the factors, and Gibbs would take minutes on 25M ratings.
      await model.train(data.ratingsFile, { method: 'als', factors: 64, iterations: SYNTH_ITERATIONS });
    },
  },
];

function log(message: string): void {
  process.stderr.write(`[bench:http] ${message}\n`);
}

async function ensureModel(spec: ModelSpec): Promise<MyRecModel> {
  mkdirSync(spec.dataDir, { recursive: true });
  const model = new MyRecModel({ dataDir: spec.dataDir });
  try {
    await model.warmup();
    log(`${spec.name}: cached model, trained ${model.info()!.trainedAt}`);
  } catch {
    log(`${spec.name}: no cached model; preparing it (once)`);
    const started = Date.now();
    await spec.prepare(model);
    log(`${spec.name}: model ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return model;
}

/** 200 request bodies of 10 ratings each, among the 1,000 movies of the non-personalised list (well-known ones). */
async function requestBodies(model: MyRecModel): Promise<string[]> {
  const popular = (await model.recommend([[], []], 1000)).items.map((m) => m.movieId);
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const bodies: string[] = [];
  for (let u = 0; u < 200; u++) {
    const ids = new Set<number>();
    while (ids.size < 10) ids.add(popular[Math.floor(rand() * popular.length)]);
    const ratings = [...ids].map(() => 1 + Math.floor(rand() * 5));
    bodies.push(JSON.stringify([[...ids], ratings]));
  }
  return bodies;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise((ok) => server.close(ok));
  return port;
}

/** Resident memory in MB of a process and its children (gunicorn's workers). */
function rssMb(pid: number): number {
  const pids = [pid];
  try {
    const children = execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean);
    pids.push(...children.map(Number));
  } catch {
    // no children
  }
  let kb = 0;
  for (const p of pids) {
    const status = readFileSync(`/proc/${p}/status`, 'utf8');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kb / 1024;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready`);
}

function startNode(dataDir: string, port: number): ChildProcess {
  const main = join(ROOT, 'dist', 'src', 'server', 'main.js');
  if (!existsSync(main)) throw new Error('dist/src/server/main.js is missing: run `npm run build` first');
  return spawn(process.execPath, [main], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP: 'none' },
    // The log file keeps every line; the console copy of each request line is not worth a terminal.
    stdio: ['ignore', 'ignore', 'ignore'],
  });
}

/** bench/.venv (shared with the other benchmarks) with the reference's requirements installed. */
function ensureReferenceVenv(): string {
  return ensureVenv(join(ROOT, 'bench', 'http', 'reference', 'requirements.txt'), 'flask, gunicorn, numpy, threadpoolctl');
}

/**
 * The reference's environment: honest (the default) is the one every numpy reference here gets (bench/shared.ts:
 * OpenBLAS's own kernel, one BLAS thread, which for two gunicorn workers on two cores also keeps their BLAS threads
 * from spinning against each other); `as-found` keeps the machine's. GET /readyz says what numpy then has.
 */
function referenceEnv(modelDir: string): NodeJS.ProcessEnv {
  return { ...(PY_ENV === 'as-found' ? process.env : pythonEnv()), MODEL_DIR: modelDir };
}

/** The reference serves the model folder of the version `modelDir` (the one the node service serves too). */
function startPython(modelDir: string, port: number): ChildProcess {
  const gunicorn = join(VENV, 'bin', 'gunicorn');
  return spawn(
    gunicorn,
    [
      '--workers',
      String(CORES),
      // gthread workers keep connections alive (the default sync worker closes each one, which makes the load
      // generator reconnect for every request and queue in the accept backlog: that measures TCP, not Flask).
      '--worker-class',
      PY_WORKER_CLASS,
      '--threads',
      String(PY_THREADS),
      '--bind',
      `127.0.0.1:${port}`,
      '--log-level',
      'warning',
      '--chdir',
      join(ROOT, 'bench', 'http', 'reference'),
      'app:app',
    ],
    { cwd: ROOT, env: referenceEnv(modelDir), stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/** CPU seconds (user + system) of a process and its children, from /proc. */
function cpuSeconds(pid: number): number {
  const ticksPerSecond = 100; // USER_HZ: 100 on every Linux this runs on
  const pids = [pid];
  try {
    pids.push(...execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number));
  } catch {
    // no children
  }
  let ticks = 0;
  for (const p of pids) {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / ticksPerSecond;
}

/** The machine's 1-minute load average, sampled after each run (other work on the machine skews latencies). */
const loads: number[] = [];
/** What the reference's numpy computes with, as its /readyz reports it (one entry per BLAS library). */
let referenceBlas = 'not run';

interface Figures {
  target: string;
  model: string;
  throughput: {
    rps: number;
    p50: number;
    p99: number;
    errors: number;
    non2xx: number;
    rssBeforeMb: number;
    rssAfterMb: number;
    /** Percent of one core over the run. */
    serverCpu: number;
    generatorCpu: number;
  };
  fixedRate: { rps: number; p50: number; p99: number; max: number; p99FromSend: number; errors: number; non2xx: number };
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((ok, fail) => {
    autocannon(opts, (err, result) => (err ? fail(err) : ok(result)));
  });
}

async function measure(
  target: string,
  model: ModelSpec,
  url: string,
  pid: number,
  bodies: string[],
  expectedTitles: string[],
): Promise<Figures> {
  const requests = bodies.map((body) => ({
    method: 'POST' as const,
    path: '/predict',
    headers: { 'content-type': 'application/json' },
    body,
  }));
  // Check the answer once, then warm up (JIT, caches) before measuring.
  const check = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[0] });
  const answer = (await check.json()) as [string[], number[]];
  if (!check.ok || answer[0].length !== 20) throw new Error(`${target}: unexpected /predict answer ${JSON.stringify(answer)}`);
  const same = answer[0].filter((t, i) => t === expectedTitles[i]).length;
  log(`${target} on ${model.name}: ${same}/20 titles in the same places as MyRecModel.recommend`);
  await run({ url, connections: 10, duration: 3, requests });
  const rssBeforeMb = rssMb(pid);
  log(`${target} on ${model.name}: (a) 50 connections x ${SECONDS} s`);
  const serverCpu0 = cpuSeconds(pid);
  const generatorCpu0 = process.cpuUsage();
  const started = Date.now();
  const a = await run({ url, connections: 50, duration: SECONDS, requests });
  const elapsed = (Date.now() - started) / 1000;
  const serverCpu = ((cpuSeconds(pid) - serverCpu0) / elapsed) * 100;
  const generatorCpuUsage = process.cpuUsage(generatorCpu0);
  const generatorCpu = ((generatorCpuUsage.user + generatorCpuUsage.system) / 1e6 / elapsed) * 100;
  const rssAfterMb = rssMb(pid);
  loads.push(loadavg()[0]);
  log(`${target} on ${model.name}: (b) a steady 1,000 requests/s for ${SECONDS} s`);
  const b = await steadyRate({ url, rate: 1000, seconds: SECONDS, connections: 50, requests });
  loads.push(loadavg()[0]);
  return {
    target,
    model: model.name,
    throughput: {
      rps: a.requests.average,
      p50: a.latency.p50,
      p99: a.latency.p99,
      errors: a.errors + a.timeouts,
      non2xx: a.non2xx,
      rssBeforeMb,
      rssAfterMb,
      serverCpu,
      generatorCpu,
    },
    fixedRate: {
      rps: b.rps,
      p50: b.p50,
      p99: b.p99,
      max: b.max,
      p99FromSend: b.p99FromSend,
      errors: b.errors,
      non2xx: b.non2xx,
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  await exited;
}

function table(all: Figures[]): string {
  const rows = [
    '| server | model | (a) req/s | (a) p50 ms | (a) p99 ms | (a) errors | (a) CPU % server / load generator | RSS before → after MB | (b) req/s | (b) p50 ms | (b) p99 ms | (b) p99 from send ms | (b) errors |',
    '|---|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const f of all) {
    const t = f.throughput;
    const r = f.fixedRate;
    rows.push(
      `| ${f.target} | ${f.model} | ${t.rps.toFixed(0)} | ${t.p50} | ${t.p99} | ${t.errors + t.non2xx} | ` +
        `${t.serverCpu.toFixed(0)} / ${t.generatorCpu.toFixed(0)} | ` +
        `${t.rssBeforeMb.toFixed(0)} → ${t.rssAfterMb.toFixed(0)} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ` +
        `${r.p99FromSend} | ${r.errors + r.non2xx} |`,
    );
  }
  const ratios: string[] = [];
  for (const m of ['ml1m', 'synth']) {
    const node = all.find((f) => f.target === 'node' && f.model === m);
    const py = all.find((f) => f.target === 'python' && f.model === m);
    if (node && py) {
      ratios.push(
        `- ${m}: throughput node/python = ${(node.throughput.rps / py.throughput.rps).toFixed(1)}x; ` +
          `p99 at 1,000 req/s python/node = ${(py.fixedRate.p99 / Math.max(node.fixedRate.p99, 0.001)).toFixed(1)}x`,
      );
    }
  }
  return [...rows, '', ...ratios].join('\n');
}

async function main(): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  configureLogger({ dataDir: CACHE, level: 'info', consoleLevel: 'warn' });
  const all: Figures[] = [];
  const wantsPython = TARGETS.some((t) => t.startsWith('python'));
  if (wantsPython) ensureReferenceVenv();
  for (const spec of MODELS) {
    const targets = TARGETS.filter((t) => t.endsWith(`-${spec.name}`));
    if (targets.length === 0) continue;
    const model = await ensureModel(spec);
    const bodies = await requestBodies(model);
    const expected = (await model.recommend(JSON.parse(bodies[0]) as [number[], number[]], 20)).items.map((i) => i.title);
    for (const target of targets) {
      const kind = target.split('-')[0];
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const child = kind === 'node' ? startNode(spec.dataDir, port) : startPython(model.servedDir()!, port);
      try {
        await waitReady(url, child);
        if (kind === 'python') {
          const { blas } = (await (await fetch(`${url}/readyz`)).json()) as {
            blas: { library: string; kernel: string | null; threads: number }[];
          };
          referenceBlas = blas.map((b) => `${b.library} ${b.kernel ?? '?'} kernel, ${b.threads} thread(s)`).join('; ');
          log(`python reference BLAS (threadpoolctl, one worker): ${referenceBlas}`);
        }
        all.push(await measure(kind, spec, url, child.pid!, bodies, expected));
      } finally {
        await stop(child);
      }
    }
  }
  const report = [
    `# bench:http, ${new Date().toISOString()}, ${CORES} cores, ${SECONDS} s per run`,
    '',
    ...MODELS.map((m) => `- ${m.name}: ${m.label}`),
    '- node: this service (node dist/src/server/main.js, LOG_LEVEL=info: one log line per request)',
    `- python: bench/http/reference (Flask + numpy fold-in under gunicorn, ${CORES} ${PY_WORKER_CLASS} workers` +
      `${PY_WORKER_CLASS === 'gthread' ? ` x ${PY_THREADS} threads` : ''}; environment ${PY_ENV}: ${referenceBlas})`,
    `- load average of the machine (1 min) during the runs: ${loads.map((l) => l.toFixed(1)).join(', ')}`,
    '',
    table(all),
  ].join('\n');
  writeFileSync(join(CACHE, 'results.md'), `${report}\n`);
  writeFileSync(join(CACHE, 'results.json'), `${JSON.stringify(all, null, 2)}\n`);
  process.stdout.write(`${report}\n`);
  await shutdownLogger();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:http failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
