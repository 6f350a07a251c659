// The filters panel beside the list: genres (any of), genres to leave out, a year range, a least number of ratings,
// and the order. The service checks every value; a value it refuses (400 naming `error.field`) is shown next to the
// control it names. Changes are announced once the visitor pauses (typing a year is several keystrokes).

import type { ApiError, ListFilters, ListOrder } from './api';
import { byId, debounce, h, replaceChildren } from './dom';
import type { GenreCatalogue } from './genres';

const CHANGE_PAUSE_MS = 350;

export interface FiltersPanel {
  filters(): ListFilters;
  order(): ListOrder;
  /** How many filters are set (0: the plain list). */
  activeCount(): number;
  onChange(listener: () => void): void;
  /** Shows a refused value next to its control; false when the error names none of the panel's fields. */
  showError(error: ApiError): boolean;
  clearErrors(): void;
}

/** The control (error slot) each query parameter belongs to. */
const SLOT_OF_FIELD: Record<string, string> = {
  genres: 'genres',
  excludeGenres: 'excludeGenres',
  yearMin: 'year',
  yearMax: 'year',
  minRatings: 'minRatings',
  order: 'order',
};

export function setUpFilters(catalogue: GenreCatalogue): FiltersPanel {
  const genreChips = byId('genre-chips');
  const excludeChips = byId('exclude-genre-chips');
  const excludeDetails = byId<HTMLDetailsElement>('exclude-genres');
  const yearMin = byId<HTMLInputElement>('year-min');
  const yearMax = byId<HTMLInputElement>('year-max');
  const minRatings = byId<HTMLInputElement>('min-ratings');
  const included = new Set<string>();
  const excluded = new Set<string>();
  const listeners: (() => void)[] = [];
  const changed = debounce(() => listeners.forEach((listener) => listener()), CHANGE_PAUSE_MS);

  const chip = (genre: string, chosen: Set<string>, label: string): HTMLButtonElement =>
    h(
      'button',
      {
        type: 'button',
        class: 'chip',
        'aria-pressed': String(chosen.has(genre)),
        'aria-label': `${label} ${genre}`,
        'data-genre': genre,
        onclick: (event: Event) => {
          const button = event.currentTarget as HTMLButtonElement;
          if (chosen.has(genre)) chosen.delete(genre);
          else chosen.add(genre);
          button.setAttribute('aria-pressed', String(chosen.has(genre)));
          changed();
        },
      },
      genre,
    );

  function renderChips(): void {
    const genres = catalogue.all();
    replaceChildren(genreChips, ...genres.map((g) => chip(g, included, 'Only')));
    replaceChildren(excludeChips, ...genres.map((g) => chip(g, excluded, 'Not')));
    if (!genres.length) genreChips.append(h('span', { class: 'muted small' }, 'Genres appear once the model answers.'));
  }
  catalogue.onChange(renderChips);
  renderChips();

  for (const input of [yearMin, yearMax, minRatings]) input.addEventListener('input', () => changed());
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="order"]')) {
    radio.addEventListener('change', () => changed());
  }
  byId('filters-reset').addEventListener('click', () => {
    included.clear();
    excluded.clear();
    for (const input of [yearMin, yearMax, minRatings]) input.value = '';
    byId<HTMLInputElement>('order-estimate').checked = true;
    excludeDetails.open = false;
    renderChips();
    changed();
  });

  const numberOf = (input: HTMLInputElement): number | undefined =>
    input.value.trim() === '' || Number.isNaN(input.valueAsNumber) ? undefined : input.valueAsNumber;

  function filters(): ListFilters {
    return {
      genres: [...included],
      excludeGenres: [...excluded],
      yearMin: numberOf(yearMin),
      yearMax: numberOf(yearMax),
      minRatings: numberOf(minRatings),
    };
  }

  function errorSlot(slot: string): HTMLElement {
    return byId(`filter-error-${slot}`);
  }

  function clearErrors(): void {
    for (const slot of new Set(Object.values(SLOT_OF_FIELD))) {
      const el = errorSlot(slot);
      el.hidden = true;
      el.textContent = '';
    }
    for (const el of document.querySelectorAll('#filters-panel [aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  return {
    filters,
    order: () => (byId<HTMLInputElement>('order-score').checked ? 'score' : 'estimate'),
    activeCount: () => {
      const f = filters();
      return [f.genres?.length, f.excludeGenres?.length, f.yearMin !== undefined, f.yearMax !== undefined, f.minRatings !== undefined].filter(Boolean).length;
    },
    onChange: (listener) => listeners.push(listener),
    showError: (error) => {
      // A list parameter's field may name one value of it (`excludeGenres[2]`): the control is the list's.
      const field = error.field?.replace(/\[\d+\]$/, '');
      const slot = field === undefined ? undefined : SLOT_OF_FIELD[field];
      if (!slot) return false;
      clearErrors();
      const el = errorSlot(slot);
      el.textContent = error.message;
      el.hidden = false;
      const input = { yearMin, yearMax, minRatings }[field as 'yearMin' | 'yearMax' | 'minRatings'] as HTMLInputElement | undefined;
      input?.setAttribute('aria-invalid', 'true');
      if (slot === 'excludeGenres') excludeDetails.open = true;
      return true;
    },
    clearErrors,
  };
}
