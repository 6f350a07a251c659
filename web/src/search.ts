// Title search as you type: an ARIA combobox over a listbox of matches. Requests are debounced and a newer query
// cancels the older one, so a slow answer never overwrites a newer list.

import { type Movie, isAbort, searchMovies } from './api';
import { byId, debounce, h, replaceChildren } from './dom';

const LIMIT = 12;
const DEBOUNCE_MS = 180;

export interface SearchOptions {
  /** A movie was chosen (Enter or click). */
  onPick: (movie: Movie) => void;
  /** The rating shown beside a match, if the visitor rated it. */
  ratingOf: (movieId: number) => number | undefined;
  onError: (error: unknown) => void;
}

export function setUpSearch(options: SearchOptions): { focus(): void; setEnabled(enabled: boolean): void } {
  const input = byId<HTMLInputElement>('search-input');
  const listbox = byId<HTMLUListElement>('search-results');
  const status = byId('search-status');
  let results: Movie[] = [];
  let active = -1;
  let controller: AbortController | null = null;
  let lastQuery = '';
  /** The query typed but not answered yet: Enter then waits for its results instead of picking a stale match. */
  let pending: string | null = null;
  let pickOnArrival = false;

  const open = (isOpen: boolean): void => {
    listbox.hidden = !isOpen;
    input.setAttribute('aria-expanded', String(isOpen));
    if (!isOpen) setActive(-1);
  };

  const setActive = (index: number): void => {
    active = index;
    for (const [i, option] of [...listbox.children].entries()) option.setAttribute('aria-selected', String(i === index));
    const option = listbox.children[index] as HTMLElement | undefined;
    if (option) {
      input.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const pick = (index: number): void => {
    const movie = results[index];
    if (!movie) return;
    open(false);
    options.onPick(movie);
  };

  const render = (): void => {
    replaceChildren(
      listbox,
      ...results.map((movie, index) => {
        const rating = options.ratingOf(movie.movieId);
        return h(
          'li',
          {
            id: `search-option-${movie.movieId}`,
            role: 'option',
            class: 'search-option',
            'aria-selected': 'false',
            'data-movie-id': movie.movieId,
            // mousedown, not click: keep the focus in the input so the list stays a combobox.
            onmousedown: (event: Event) => {
              event.preventDefault();
              pick(index);
            },
          },
          h('span', { class: 'search-title' }, movie.title),
          h(
            'span',
            { class: 'search-meta' },
            movie.genres.slice(0, 3).join(', '),
            rating !== undefined ? h('span', { class: 'search-rated' }, ` · you: ${rating}★`) : null,
          ),
        );
      }),
    );
    open(results.length > 0);
  };

  const run = debounce(async (query: string) => {
    controller?.abort();
    if (!query) {
      results = [];
      pending = null;
      status.textContent = '';
      render();
      return;
    }
    const mine = new AbortController();
    controller = mine;
    status.textContent = 'Searching…';
    try {
      results = await searchMovies(query, LIMIT, mine.signal);
      if (controller !== mine) return;
      if (pending === query) pending = null;
      status.textContent = results.length
        ? `${results.length}${results.length === LIMIT ? '+' : ''} matching movies; use the arrow keys and Enter to choose.`
        : `No movies match “${query}”.`;
      render();
      if (pickOnArrival && pending === null) {
        pickOnArrival = false;
        if (results.length) pick(0);
      }
    } catch (error) {
      if (isAbort(error) || controller !== mine) return;
      pending = null;
      pickOnArrival = false;
      results = [];
      render();
      status.textContent = 'Search failed.';
      options.onError(error);
    }
  }, DEBOUNCE_MS);

  input.addEventListener('input', () => {
    lastQuery = input.value.trim();
    pending = lastQuery || null;
    pickOnArrival = false;
    run(lastQuery);
  });
  input.addEventListener('keydown', (event) => {
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (listbox.hidden && results.length) open(true);
        setActive(Math.min(results.length - 1, active + 1));
        break;
      case 'ArrowUp':
        event.preventDefault();
        setActive(Math.max(0, active - 1));
        break;
      case 'Enter':
        if (pending !== null) {
          event.preventDefault();
          pickOnArrival = true;
        } else if (!listbox.hidden && results.length) {
          event.preventDefault();
          pick(active >= 0 ? active : 0);
        }
        break;
      case 'Escape':
        if (!listbox.hidden) {
          event.preventDefault();
          open(false);
        } else if (input.value) {
          event.preventDefault();
          input.value = '';
          lastQuery = '';
          run('');
        }
        break;
      default:
    }
  });
  input.addEventListener('blur', () => open(false));
  input.addEventListener('focus', () => {
    if (results.length && input.value.trim() === lastQuery) render();
  });

  return {
    focus: () => input.focus(),
    setEnabled: (enabled: boolean) => {
      input.disabled = !enabled;
      if (!enabled) open(false);
    },
  };
}
