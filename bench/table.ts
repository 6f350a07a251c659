// The bench results as a Markdown table (printed by bench/run.ts and pasted into docs/benchmarks.md), with the
// ratios of each reference to movierec from the same run (reference time / movierec time: > 1 = movierec faster).

import type { Machine } from './shared.js';

export interface Results {
  mode: 'quick' | 'full';
  date: string;
  command: string;
  machine: Machine;
  dataset?: { preset: string; file: string };
  measured: Record<string, Record<string, unknown> | undefined>;
  skipped: Record<string, string>;
  totalSeconds?: number;
}

type Row = [measure: string, movierec: string, reference: string, ratio: string, goal: string];

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const fixed = (v: number | undefined, digits = 2, unit = ''): string => (v === undefined ? 'n/a' : `${v.toFixed(digits)}${unit}`);
const gb = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 30).toFixed(2)} GiB`);
const ratio = (reference: number | undefined, ours: number | undefined): string =>
  reference === undefined || ours === undefined || ours <= 0 ? 'n/a' : `${(reference / ours).toFixed(1)}x`;

function get(results: Results, step: string, ...path: string[]): unknown {
  let v: unknown = results.measured[step];
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

function skippedNote(results: Results, step: string): string {
  const reason = results.skipped[step];
  return reason === undefined ? 'n/a' : `skipped: ${reason.split('\n')[0].slice(0, 80)}`;
}

export function renderTable(results: Results): string {
  const g = (step: string, ...path: string[]): number | undefined => num(get(results, step, ...path));
  const parse = g('parse', 'medianSeconds');
  const pandas = g('pandas', 'medianSeconds');
  const explicit64 = g('explicit64', 'medianIterationSeconds');
  const spark = g('spark', 'medianIterationSeconds');
  const implicitOurs = g('implicit64', 'medianIterationSeconds');
  const implicitRef = g('implicit', 'medianIterationSeconds');
  const rows: Row[] = [
    [
      'Parse ratings.csv (s, median of 3)',
      fixed(parse),
      results.measured.pandas ? `pandas.read_csv ${fixed(pandas)}` : skippedNote(results, 'pandas'),
      ratio(pandas, parse),
      '<= 3 s',
    ],
  ];
  for (const k of [32, 64, 128]) {
    const ours = g(`explicit${k}`, 'medianIterationSeconds');
    const ref = k === 64 ? (results.measured.spark ? `Spark ALS ${fixed(spark)}` : skippedNote(results, 'spark')) : '';
    rows.push([`Explicit ALS, ${k} factors (s/iteration)`, fixed(ours), ref, k === 64 ? ratio(spark, ours) : '', k === 64 ? '<= 2.0 s; Spark >= 10x' : '']);
  }
  const explicitCg = g('explicit64cg', 'medianIterationSeconds');
  if (explicitCg !== undefined) {
    rows.push(['Explicit ALS, 64 factors, `solver: cg`, 3 CG steps (s/iteration)', fixed(explicitCg), '', '', '']);
  }
  rows.push([
    'Implicit ALS, 64 factors, CG (s/iteration)',
    fixed(implicitOurs),
    results.measured.implicit ? `implicit ${fixed(implicitRef)}` : skippedNote(results, 'implicit'),
    ratio(implicitRef, implicitOurs),
    '>= 1.5x',
  ]);
  rows.push([
    'Peak RSS, read + train explicit 64 factors',
    `${gb(g('explicit64', 'readPeakRssBytes'))} read, ${gb(g('explicit64', 'trainPeakRssBytes'))} train`,
    '',
    '',
    '<= 1.5 GB',
  ]);
  rows.push([
    'Peak RSS, `MyRecModel.train` through the addon (read, train, save, load back)',
    results.measured.eventloop ? gb(g('eventloop', 'peakRssBytes')) : skippedNote(results, 'eventloop'),
    '',
    '',
    '<= 1.5 GB',
  ]);
  rows.push(['Model save (s)', fixed(g('explicit64', 'save', 'seconds')), '', '', '']);
  rows.push([
    'Model load (ms, first in a fresh process / median)',
    results.measured.load ? `${fixed(g('load', 'firstMs'), 1)} / ${fixed(g('load', 'medianMs'), 1)}` : skippedNote(results, 'load'),
    '',
    '',
    '<= 100 ms',
  ]);
  for (const [label, step] of [['explicit', 'explicit64'], ['implicit', 'implicit64']] as const) {
    rows.push([
      `Fold-in + top-20, ${label} (ms, p50 / p99 over ${fixed(g(step, 'foldIn', 'users'), 0)} users)`,
      `${fixed(g(step, 'foldIn', 'p50Ms'), 3)} / ${fixed(g(step, 'foldIn', 'p99Ms'), 3)}`,
      '',
      '',
      'p99 <= 2 ms',
    ]);
  }
  rows.push([
    'JS event loop late during MyRecModel.train (ms beyond its 10 ms timer, p50 / p99 / max)',
    results.measured.eventloop
      ? `${fixed(g('eventloop', 'lateMs', 'p50'), 1)} / ${fixed(g('eventloop', 'lateMs', 'p99'), 1)} / ${fixed(g('eventloop', 'lateMs', 'max'), 1)}`
      : skippedNote(results, 'eventloop'),
    '',
    '',
    'responsive',
  ]);

  const m = results.machine;
  const header = [
    `movierec bench (${results.mode}), ${results.date}, data set ${results.dataset?.preset ?? '?'}: \`${results.command}\``,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}, ${m.node}, ${m.rustc}`,
    '',
    '| Measure | movierec | Reference (same run) | Reference / movierec | Goal |',
    '|---|---|---|---|---|',
  ];
  const body = rows.map((r) => `| ${r.join(' | ')} |`);
  return [...header, ...body].join('\n');
}
