// Star ratings. The editable one is an ARIA slider: arrows change it by the model's scale step (half stars when the
// step is 0.5), Home/End jump to the ends, digits set whole stars, Delete or Backspace removes the rating. A pointer
// picks the star (or half star) under it. The read-only one shows an estimated rating with a fractional fill.

import type { Scale } from './api';
import { formatNumber, h, svg } from './dom';

const STAR_PATH = 'M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z';

function starRow(count: number, className: string): HTMLElement {
  const row = h('span', { class: className, 'aria-hidden': 'true' });
  for (let i = 0; i < count; i++) {
    row.appendChild(svg('svg', { viewBox: '0 0 24 24', width: 24, height: 24, focusable: 'false' }, svg('path', { d: STAR_PATH })));
  }
  return row;
}

/** One unit per star, so a 0.5–5 scale has five stars and a 1–10 scale ten. */
function starCount(scale: Scale): number {
  return Math.max(1, Math.min(10, Math.ceil(scale.max)));
}

function build(scale: Scale, size: 'small' | 'large'): { root: HTMLElement; fill: HTMLElement; count: number } {
  const count = starCount(scale);
  const fill = starRow(count, 'stars-fill');
  const root = h('span', { class: `stars stars-${size}` }, starRow(count, 'stars-empty'), fill);
  return { root, fill, count };
}

function setFill(fill: HTMLElement, value: number | null, count: number): void {
  const fraction = value === null ? 0 : Math.max(0, Math.min(1, value / count));
  fill.style.width = `${fraction * 100}%`;
}

export function starsText(value: number | null, scale: Scale): string {
  if (value === null) return 'not rated';
  return `${formatNumber(value, 1)} of ${formatNumber(scale.max, 1)} stars`;
}

export interface StarInputOptions {
  scale: Scale;
  value: number | null;
  /** Accessible name, e.g. "Your rating for Heat (1995)". */
  label: string;
  onChange: (value: number | null) => void;
}

export function starInput(options: StarInputOptions): HTMLElement {
  const { scale, label, onChange } = options;
  let value = options.value;
  const { root, fill, count } = build(scale, 'large');
  root.classList.add('stars-input');
  root.tabIndex = 0;
  root.setAttribute('role', 'slider');
  root.setAttribute('aria-label', label);
  root.setAttribute('aria-valuemin', String(scale.min));
  root.setAttribute('aria-valuemax', String(scale.max));

  const show = (shown: number | null): void => setFill(fill, shown, count);
  const sync = (): void => {
    show(value);
    if (value === null) root.removeAttribute('aria-valuenow');
    else root.setAttribute('aria-valuenow', String(value));
    root.setAttribute('aria-valuetext', starsText(value, scale));
    root.dataset.value = value === null ? '' : String(value);
  };
  const commit = (next: number | null): void => {
    const clamped = next === null ? null : Math.min(scale.max, Math.max(scale.min, Number(next.toFixed(4))));
    if (clamped === value) return;
    value = clamped;
    sync();
    onChange(value);
  };
  const valueAt = (clientX: number): number => {
    const box = root.getBoundingClientRect();
    const units = ((clientX - box.left) / Math.max(1, box.width)) * count;
    return Math.ceil(Math.max(units, 0.001) / scale.step) * scale.step;
  };

  root.addEventListener('pointermove', (event) => show(Math.min(scale.max, Math.max(scale.min, valueAt(event.clientX)))));
  root.addEventListener('pointerleave', () => show(value));
  root.addEventListener('click', (event) => commit(valueAt(event.clientX)));
  root.addEventListener('keydown', (event) => {
    const current = value ?? scale.min - scale.step;
    let next: number | null | undefined;
    switch (event.key) {
      case 'ArrowRight':
      case 'ArrowUp':
        next = value === null ? Math.ceil(scale.max / 2) : current + scale.step;
        break;
      case 'ArrowLeft':
      case 'ArrowDown':
        next = value === null ? Math.ceil(scale.max / 2) : Math.max(scale.min, current - scale.step);
        break;
      case 'PageUp':
        next = value === null ? scale.max : current + 1;
        break;
      case 'PageDown':
        next = value === null ? scale.min : Math.max(scale.min, current - 1);
        break;
      case 'Home':
        next = scale.min;
        break;
      case 'End':
        next = scale.max;
        break;
      case 'Delete':
      case 'Backspace':
        next = null;
        break;
      default:
        if (/^[0-9]$/.test(event.key)) {
          const digit = Number(event.key === '0' ? 10 : event.key);
          if (digit >= scale.min && digit <= scale.max) next = digit;
        }
    }
    if (next === undefined) return;
    event.preventDefault();
    commit(next);
  });
  sync();
  return root;
}

/** A read-only display of an estimated rating, e.g. 4.27 of 5. */
export function starDisplay(value: number, scale: Scale): HTMLElement {
  const { root, fill, count } = build(scale, 'small');
  setFill(fill, value, count);
  root.setAttribute('role', 'img');
  root.setAttribute('aria-label', `estimated ${starsText(Number(value.toFixed(1)), scale)}`);
  return root;
}
