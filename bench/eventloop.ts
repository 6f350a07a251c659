// Event-loop responsiveness while a model trains through the addon (`MyRecModel.train`: read, train, save, load as
// AsyncTasks off the JS thread). Run by bench/run.ts in its own process:
//   node --import tsx bench/eventloop.ts RATINGS_FILE DATA_DIR FACTORS ITERATIONS
// Prints one JSON object: the event-loop delay histogram (perf_hooks.monitorEventLoopDelay, 10 ms resolution) over
// the whole train call, and a timer-tick count (a 10 ms interval that should fire about duration / 10 ms times).
// The histogram records whole intervals between its 10 ms samples, so an idle loop reads about 10 ms: `lateMs` is
// that minus the resolution, the time the loop was actually late.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MyRecModel } from '../src/model/index.js';

const RESOLUTION_MS = 10;

async function main(): Promise<void> {
  const [file, dataDir, factors, iterations] = process.argv.slice(2);
  if (!file || !dataDir) throw new Error('usage: eventloop.ts RATINGS_FILE DATA_DIR [FACTORS] [ITERATIONS]');
  const model = new MyRecModel({ dataDir });
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  let progressCalls = 0;
  histogram.enable();
  const started = process.hrtime.bigint();
  const result = await model.train(file, {
    // ALS, as the table's other explicit rows (the Gibbs default is ~160 sweeps: minutes on this data set).
    method: 'als',
    factors: Number(factors ?? 64),
    iterations: Number(iterations ?? 3),
    onIteration: () => progressCalls++,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  histogram.disable();
  clearInterval(ticker);
  const ms = (ns: number): number => ns / 1e6;
  const late = (ns: number): number => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  process.stdout.write(
    JSON.stringify({
      seconds,
      trainingSeconds: result.trainingSeconds,
      progressCalls,
      timerTicks: ticks,
      expectedTicks: Math.floor((seconds * 1000) / 10),
      delayMs: {
        min: ms(histogram.min),
        mean: ms(histogram.mean),
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
      },
      lateMs: {
        p50: late(histogram.percentile(50)),
        p99: late(histogram.percentile(99)),
        max: late(histogram.max),
      },
      samples: histogram.count,
      // The whole process (read, train, save, load back in the addon), in bytes.
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
