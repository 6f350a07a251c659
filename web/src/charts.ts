// Small inline SVG charts drawn from /api/info: the training curve (RMSE per ALS iteration) and metrics of the model
// beside its baselines. Colours come from CSS classes so the charts follow the page's light or dark scheme.

import { formatNumber, svg } from './dom';

let chartCount = 0;

function frame(width: number, height: number, title: string, description: string): SVGSVGElement {
  const id = `chart-${++chartCount}`;
  return svg(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
    },
    svg('title', { id: `${id}-title` }, title),
    svg('desc', { id: `${id}-desc` }, description),
  );
}

/** Round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, wanted: number): number[] {
  if (!(hi > lo)) return [lo];
  const rough = (hi - lo) / wanted;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export interface Point {
  x: number;
  y: number;
}

/** `width` in user units: pass about the on-screen width so the 11-12 px labels stay that size on a phone. */
export function lineChart(points: Point[], labels: { title: string; x: string; y: string }, width = 480): SVGSVGElement {
  const height = Math.round(Math.max(200, Math.min(260, width * 0.6)));
  const pad = { left: 52, right: 16, top: 16, bottom: 42 };
  const description = points.map((p) => `${labels.x} ${p.x}: ${labels.y} ${formatNumber(p.y, 4)}`).join('; ');
  const chart = frame(width, height, labels.title, description);
  if (points.length === 0) return chart;

  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs, xMin + 1);
  const spread = Math.max(...ys) - Math.min(...ys) || Math.abs(ys[0] ?? 1) * 0.1 || 1;
  const yMin = Math.max(0, Math.min(...ys) - spread * 0.1);
  const yMax = Math.max(...ys) + spread * 0.1;
  const sx = (x: number): number => pad.left + ((x - xMin) / (xMax - xMin)) * (width - pad.left - pad.right);
  const sy = (y: number): number => height - pad.bottom - ((y - yMin) / (yMax - yMin)) * (height - pad.top - pad.bottom);

  for (const t of ticks(yMin, yMax, 6)) {
    chart.append(
      svg('line', { class: 'chart-grid', x1: pad.left, x2: width - pad.right, y1: sy(t), y2: sy(t) }),
      svg('text', { class: 'chart-tick', x: pad.left - 6, y: sy(t) + 4, 'text-anchor': 'end' }, formatNumber(t, 3)),
    );
  }
  for (const t of ticks(xMin, xMax, Math.min(10, xs.length)).filter(Number.isInteger)) {
    chart.append(
      svg('text', { class: 'chart-tick', x: sx(t), y: height - pad.bottom + 16, 'text-anchor': 'middle' }, String(t)),
    );
  }
  chart.append(
    svg('line', { class: 'chart-axis', x1: pad.left, x2: width - pad.right, y1: height - pad.bottom, y2: height - pad.bottom }),
    svg('line', { class: 'chart-axis', x1: pad.left, x2: pad.left, y1: pad.top, y2: height - pad.bottom }),
    svg('text', { class: 'chart-label', x: (pad.left + width - pad.right) / 2, y: height - 6, 'text-anchor': 'middle' }, labels.x),
    svg(
      'text',
      { class: 'chart-label', x: 14, y: (pad.top + height - pad.bottom) / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${(pad.top + height - pad.bottom) / 2})` },
      labels.y,
    ),
    svg('polyline', { class: 'chart-line', points: points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ') }),
  );
  for (const p of points) chart.append(svg('circle', { class: 'chart-dot', cx: sx(p.x), cy: sy(p.y), r: 3 }));
  return chart;
}

export interface BarGroup {
  /** e.g. "RMSE (lower is better)" */
  label: string;
  /** One value per series; NaN for "not measured". */
  values: number[];
}

/** Grouped bars: one group per metric, one bar per series (model, bias only, popularity). */
export function groupedBarChart(groups: BarGroup[], series: string[], title: string, width = 480): SVGSVGElement {
  const rowHeight = 18;
  const groupGap = 26;
  const pad = { left: 8, right: 56, top: 28 };
  const height = pad.top + groups.length * (series.length * rowHeight + groupGap);
  const description = groups
    .map((g) => `${g.label}: ${g.values.map((v, i) => `${series[i]} ${Number.isFinite(v) ? formatNumber(v, 4) : 'not measured'}`).join(', ')}`)
    .join('; ');
  const chart = frame(width, height, title, description);

  const legend = svg('g', { class: 'chart-legend' });
  const legendStep = Math.min(130, (width - pad.left) / series.length);
  series.forEach((name, i) => {
    legend.append(
      svg('rect', { class: `chart-bar series-${i}`, x: pad.left + i * legendStep, y: 4, width: 12, height: 12, rx: 2 }),
      svg('text', { class: 'chart-tick', x: pad.left + i * legendStep + 18, y: 14 }, name),
    );
  });
  chart.append(legend);

  const barLeft = Math.round(Math.min(150, width * 0.34));
  const barSpace = width - barLeft - pad.right;
  let y = pad.top;
  for (const group of groups) {
    const finite = group.values.filter(Number.isFinite);
    const max = Math.max(...finite, 1e-9);
    chart.append(svg('text', { class: 'chart-label', x: pad.left, y: y + (series.length * rowHeight) / 2 + 4 }, group.label));
    group.values.forEach((value, i) => {
      const top = y + i * rowHeight;
      if (Number.isFinite(value)) {
        const w = Math.max(1, (value / max) * barSpace);
        chart.append(
          svg('rect', { class: `chart-bar series-${i}`, x: barLeft, y: top + 2, width: w, height: rowHeight - 4, rx: 2 }),
          svg('text', { class: 'chart-tick', x: barLeft + w + 4, y: top + rowHeight - 5 }, formatNumber(value, 3)),
        );
      } else {
        chart.append(svg('text', { class: 'chart-tick', x: barLeft, y: top + rowHeight - 5 }, '–'));
      }
    });
    y += series.length * rowHeight + groupGap;
  }
  return chart;
}
