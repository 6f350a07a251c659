// "Because you rated Toy Story (62%), Aladdin (21%)": the few rated movies that contributed most to choosing a
// recommendation (the service's `because`, largest share first), as a line under it.

import type { Because } from './api';

/** At most this many rated movies are named: beyond three the line stops being read. */
export const BECAUSE_SHOWN = 3;

/** A MovieLens title without its year (`Toy Story (1995)` -> `Toy Story`), so the share is the only parenthesis. */
export function titleWithoutYear(title: string): string {
  return title.replace(/\s*\(\d{4}\)\s*$/, '') || title;
}

/** The line's text, or '' when the service gave no explanation (the non-personalised list). */
export function becauseText(because: Because[]): string {
  const named = because.slice(0, BECAUSE_SHOWN).map((b) => `${titleWithoutYear(b.title)} (${Math.round(b.share * 100)}%)`);
  return named.length ? `Because you rated ${named.join(', ')}` : '';
}
