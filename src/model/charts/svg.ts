// SVG building blocks: plain strings, no DOM, no dependency. Every chart has an explicit white background and dark
// ink, so it reads the same in light and dark viewers; text is escaped; numbers are rounded for small files.

export const INK = '#1f2933';
export const GRID = '#d9dee3';
export const FONT = 'font-family="Helvetica, Arial, sans-serif"';
/** Colour-blind-safe pair (Okabe-Ito blue and vermillion) plus a neutral grey. */
export const PALETTE = ['#0072b2', '#d55e00', '#7f7f7f', '#009e73'];

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** A number as SVG coordinates want it: at most 2 decimals. */
export function n(x: number): string {
  return String(Math.round(x * 100) / 100);
}

export function text(
  x: number,
  y: number,
  content: string,
  opts: { size?: number; anchor?: 'start' | 'middle' | 'end'; weight?: 'bold'; rotate?: number; fill?: string } = {},
): string {
  const transform = opts.rotate ? ` transform="rotate(${opts.rotate} ${n(x)} ${n(y)})"` : '';
  return (
    `<text x="${n(x)}" y="${n(y)}" font-size="${opts.size ?? 12}" text-anchor="${opts.anchor ?? 'start'}"` +
    `${opts.weight ? ` font-weight="${opts.weight}"` : ''} fill="${opts.fill ?? INK}"${transform}>${escapeXml(content)}</text>`
  );
}

export function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `role="img" aria-label="${escapeXml(title)}" ${FONT}>`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** About `count` round tick values covering [min, max] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max === min) {
    const pad = Math.abs(min) * 0.05 || 1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 0.5; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks.at(-1)! < max) ticks.push(Number((ticks.at(-1)! + step).toPrecision(12)));
  return ticks;
}

/** Tick label with the decimals the step needs. */
export function tickLabel(value: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toFixed(decimals);
}

/** Linear map from [d0, d1] to [r0, r1]. */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

export interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Horizontal grid lines and y tick labels, x axis line, axis titles. */
export function axes(
  frame: Frame,
  yTicks: number[],
  y: (v: number) => number,
  labels: { x?: string; y?: string },
): string[] {
  const out: string[] = [];
  const right = frame.left + frame.width;
  const bottom = frame.top + frame.height;
  for (const t of yTicks) {
    out.push(`<line x1="${n(frame.left)}" y1="${n(y(t))}" x2="${n(right)}" y2="${n(y(t))}" stroke="${GRID}" stroke-width="1"/>`);
    out.push(text(frame.left - 6, y(t) + 4, tickLabel(t, yTicks), { size: 11, anchor: 'end' }));
  }
  out.push(`<line x1="${n(frame.left)}" y1="${n(bottom)}" x2="${n(right)}" y2="${n(bottom)}" stroke="${INK}" stroke-width="1"/>`);
  out.push(`<line x1="${n(frame.left)}" y1="${n(frame.top)}" x2="${n(frame.left)}" y2="${n(bottom)}" stroke="${INK}" stroke-width="1"/>`);
  if (labels.x) out.push(text(frame.left + frame.width / 2, bottom + 36, labels.x, { anchor: 'middle' }));
  if (labels.y) out.push(text(frame.left - 48, frame.top + frame.height / 2, labels.y, { anchor: 'middle', rotate: -90 }));
  return out;
}

/** A legend row: coloured swatch and name per entry, left to right from (x, y). */
export function legend(x: number, y: number, entries: { name: string; color: string }[]): string[] {
  const out: string[] = [];
  let at = x;
  for (const e of entries) {
    out.push(`<rect x="${n(at)}" y="${n(y - 9)}" width="14" height="10" fill="${e.color}"/>`);
    out.push(text(at + 19, y, e.name, { size: 12 }));
    at += 30 + e.name.length * 6.5;
  }
  return out;
}
