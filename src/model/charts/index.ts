// Charts written beside the model: `training-curve.svg` (train, and validation when recorded, RMSE per iteration;
// written by train) and `metrics.svg` (the latest evaluation beside its baselines; written by evaluate). Pure string
// builders; writing is temp + rename and never fails the command that asked for it (a warning is logged).

import fs from 'node:fs/promises';
import path from 'node:path';

import { getLogger } from '../../logger.js';
import type { EvaluationResult, ModelInfo } from '../types.js';
import { axes, legend, n, niceTicks, PALETTE, scale, svgDocument, text, tickLabel, type Frame } from './svg.js';

export const CHART_NAMES = ['training-curve.svg', 'metrics.svg'] as const;
export type ChartName = (typeof CHART_NAMES)[number];

/** One iteration as model.json records it; `validationRmse` appears when training held out a validation split. */
export interface CurvePoint {
  iteration: number;
  trainRmse: number;
  validationRmse?: number | null;
}

interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

/** Train (and validation) RMSE per iteration as an SVG line chart. */
export function trainingCurveSvg(history: readonly CurvePoint[], subtitle = ''): string {
  const W = 720;
  const H = 420;
  const frame: Frame = { left: 72, top: 64, width: W - 72 - 110, height: H - 64 - 84 };
  const train: Series = { name: 'train RMSE', color: PALETTE[0], points: [] };
  const validation: Series = { name: 'validation RMSE', color: PALETTE[1], points: [] };
  for (const h of history) {
    if (Number.isFinite(h.trainRmse)) train.points.push([h.iteration, h.trainRmse]);
    if (typeof h.validationRmse === 'number' && Number.isFinite(h.validationRmse)) {
      validation.points.push([h.iteration, h.validationRmse]);
    }
  }
  const series = [train, validation].filter((s) => s.points.length > 0);
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys));
  const lastIteration = Math.max(1, ...history.map((h) => h.iteration));
  const xTicks = niceTicks(1, lastIteration, Math.min(8, lastIteration)).filter((t) => t >= 1 && t === Math.round(t));
  const x = scale(1, Math.max(2, lastIteration), frame.left, frame.left + frame.width);
  const y = scale(yTicks[0], yTicks.at(-1)!, frame.top + frame.height, frame.top);
  const body: string[] = [
    text(W / 2, 26, 'Training curve: RMSE per iteration', { size: 16, anchor: 'middle', weight: 'bold' }),
  ];
  if (subtitle) body.push(text(W / 2, 44, subtitle, { size: 11, anchor: 'middle' }));
  body.push(...axes(frame, yTicks, y, { x: 'iteration', y: 'RMSE' }));
  for (const t of xTicks) {
    body.push(text(x(t), frame.top + frame.height + 16, tickLabel(t, [0, 1]), { size: 11, anchor: 'middle' }));
  }
  for (const s of series) {
    const d = s.points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${n(x(px))} ${n(y(py))}`).join(' ');
    body.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5" data-series="${s.name}"/>`);
    const [lx, ly] = s.points.at(-1)!;
    body.push(`<circle cx="${n(x(lx))}" cy="${n(y(ly))}" r="3.5" fill="${s.color}"/>`);
    body.push(text(x(lx) + 8, y(ly) + 4, ly.toFixed(4), { size: 12, fill: s.color, weight: 'bold' }));
  }
  const entries = [train, validation].map((s) => ({
    name: s.points.length > 0 ? s.name : `${s.name} (not recorded)`,
    color: s.points.length > 0 ? s.color : PALETTE[2],
  }));
  body.push(...legend(frame.left, H - 14, entries));
  return svgDocument(W, H, 'Training curve: RMSE per iteration', body);
}

interface Bar {
  label: string;
  value: number;
}

/** One panel of grouped bars (one group per metric, one bar per method); NaN bars are drawn as "n/a". */
function barPanel(frame: Frame, title: string, methods: string[], groups: { metric: string; bars: Bar[] }[]): string[] {
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter(Number.isFinite);
  const top = Math.max(0, ...values);
  const yTicks = niceTicks(0, top > 0 ? top * 1.12 : 1);
  const y = scale(0, yTicks.at(-1)!, frame.top + frame.height, frame.top);
  const out = [text(frame.left + frame.width / 2, frame.top - 14, title, { size: 13, anchor: 'middle', weight: 'bold' })];
  out.push(...axes(frame, yTicks, y, {}));
  const groupWidth = frame.width / groups.length;
  const barWidth = Math.min(46, (groupWidth * 0.8) / methods.length);
  groups.forEach((g, gi) => {
    const start = frame.left + gi * groupWidth + (groupWidth - barWidth * methods.length) / 2;
    g.bars.forEach((b, bi) => {
      const bx = start + bi * barWidth;
      const color = PALETTE[bi === 0 ? 0 : 2];
      if (!Number.isFinite(b.value)) {
        out.push(text(bx + barWidth / 2, y(0) - 6, 'n/a', { size: 10, anchor: 'middle' }));
        return;
      }
      const top = y(b.value);
      out.push(
        `<rect x="${n(bx + 2)}" y="${n(top)}" width="${n(barWidth - 4)}" height="${n(y(0) - top)}" fill="${color}"` +
          ` data-method="${b.label}" data-metric="${g.metric}"/>`,
      );
      out.push(text(bx + barWidth / 2, top - 5, b.value.toFixed(4), { size: 10, anchor: 'middle' }));
    });
    out.push(text(start + (barWidth * methods.length) / 2, frame.top + frame.height + 16, g.metric, { size: 12, anchor: 'middle' }));
  });
  out.push(...legend(frame.left, frame.top + frame.height + 40, methods.map((m, i) => ({ name: m, color: PALETTE[i === 0 ? 0 : 2] }))));
  return out;
}

/** The evaluation stored in model.json: rating error beside bias-only, ranking at k beside popularity. */
export function metricsSvg(e: EvaluationResult, subtitle = ''): string {
  const W = 780;
  const H = 400;
  const k = e.model.ranking.k;
  const body = [text(W / 2, 26, 'Model evaluation beside the baselines', { size: 16, anchor: 'middle', weight: 'bold' })];
  if (subtitle) body.push(text(W / 2, 44, subtitle, { size: 11, anchor: 'middle' }));
  const num = (v: number | null | undefined) => (typeof v === 'number' ? v : Number.NaN);
  const versus = (other: string) => (metric: string, model: number | null, baseline: number | null) => ({
    metric,
    bars: [
      { label: 'model', value: num(model) },
      { label: other, value: num(baseline) },
    ],
  });
  const bias = versus('bias-only');
  const popular = versus('popularity');
  const [m, b, p] = [e.model, e.biasOnly, e.popularity];
  body.push(
    ...barPanel({ left: 64, top: 86, width: 290, height: 230 }, 'Rating error (lower is better)', ['model', 'bias-only'], [
      bias('RMSE', m.rating.rmse, b.rating.rmse),
      bias('MAE', m.rating.mae, b.rating.mae),
    ]),
    ...barPanel({ left: 450, top: 86, width: 300, height: 230 }, `Top-${k} lists (higher is better)`, ['model', 'popularity'], [
      popular(`P@${k}`, m.ranking.precision, p.ranking.precision),
      popular(`R@${k}`, m.ranking.recall, p.ranking.recall),
      popular(`NDCG@${k}`, m.ranking.ndcg, p.ranking.ndcg),
    ]),
  );
  return svgDocument(W, H, 'Model evaluation beside the baselines', body);
}

/** Writes `dir/name` via a temporary file and a rename, so a reader never sees half a chart. */
export async function writeChart(dir: string, name: ChartName, svg: string): Promise<string> {
  const file = path.join(dir, name);
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    await fs.writeFile(temporary, svg, 'utf8');
    await fs.rename(temporary, file);
  } catch (err) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw err;
  }
  return file;
}

function datasetName(p: string): string {
  return p.split(/[\\/]+/).filter(Boolean).slice(-2).join('/');
}

/** `training-curve.svg` for a trained model; logs and swallows any failure (training has succeeded already). */
export async function writeTrainingCurve(modelDir: string, info: ModelInfo): Promise<string | undefined> {
  try {
    const p = info.params as { factors?: number };
    const subtitle =
      `${datasetName(info.dataset.path)}: ${info.dataset.ratings.toLocaleString('en-US')} ratings, ` +
      `${p.factors ?? info.counts.factors} factors, ${info.trainingSeconds.toFixed(1)} s`;
    const file = await writeChart(modelDir, 'training-curve.svg', trainingCurveSvg(info.history, subtitle));
    getLogger('model').info(`training curve written to ${file}`);
    return file;
  } catch (err) {
    getLogger('model').warn(`training curve not written to ${modelDir}`, err);
    return undefined;
  }
}

/** `metrics.svg` for an evaluation; logs and swallows any failure (the evaluation is stored already). */
export async function writeMetricsChart(modelDir: string, evaluation: EvaluationResult): Promise<string | undefined> {
  try {
    const d = evaluation.dataset;
    const subtitle = `on ${datasetName(d.path)}: ${evaluation.model.rating.count.toLocaleString('en-US')} pairs scored, ` +
      `${evaluation.model.ranking.users.toLocaleString('en-US')} users ranked`;
    const file = await writeChart(modelDir, 'metrics.svg', metricsSvg(evaluation, subtitle));
    getLogger('model').info(`metrics chart written to ${file}`);
    return file;
  } catch (err) {
    getLogger('model').warn(`metrics chart not written to ${modelDir}`, err);
    return undefined;
  }
}
