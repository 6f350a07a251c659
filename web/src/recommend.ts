// The "Recommend" view: the chosen movie (rate it, see similar movies), the visitor's ratings, and the top-M list that
// follows every change of a rating or of the filters, each recommendation with the rated movies it is "because" of.

import {
  ApiError,
  type ListQuery,
  type Movie,
  type Recommendations,
  type Scale,
  type ScoredMovie,
  isAbort,
  similarMovies,
} from './api';
import { becauseText } from './because';
import { byId, debounce, formatNumber, h, replaceChildren } from './dom';
import type { FiltersPanel } from './filters';
import type { GenreCatalogue } from './genres';
import { type RatedMovie, type RatingStore, encodeShare } from './ratings';
import { starDisplay, starInput } from './stars';

const SIMILAR_COUNT = 10;

/** "1 rating", "3 ratings" */
function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en')} ${noun}${count === 1 ? '' : 's'}`;
}

export interface RecommendViewOptions {
  store: RatingStore;
  scale: () => Scale;
  /** The list for these ratings (from the browser's ratings, or a named visitor's on the service). */
  list: (ratings: RatedMovie[], query: ListQuery, signal: AbortSignal) => Promise<Recommendations>;
  filters: FiltersPanel;
  /** Told of every movie shown, so the genre filters offer the catalogue's genres. */
  genres: GenreCatalogue;
  /** A request failed: let the page decide between "unreachable", "no model" and a message. */
  onError: (error: unknown) => void;
  notify: (message: string, action?: { label: string; run: () => void }) => void;
}

export interface RecommendView {
  open(movie: Movie, options?: { focusRating?: boolean }): void;
  refresh(): void;
  render(): void;
}

export function createRecommendView(options: RecommendViewOptions): RecommendView {
  const { store, notify, filters, genres } = options;
  const moviePanel = byId('movie-panel');
  const ratedList = byId<HTMLUListElement>('rated-list');
  const ratedCount = byId('rated-count');
  const ratedEmpty = byId('rated-empty');
  const ratedActions = byId('rated-actions');
  const shareOutput = byId<HTMLInputElement>('share-url');
  const recsList = byId<HTMLOListElement>('recs-list');
  const recsStatus = byId('recs-status');
  const recsCount = byId<HTMLSelectElement>('recs-count');

  let current: Movie | null = null;
  let similarController: AbortController | null = null;
  let recsController: AbortController | null = null;

  // --- the chosen movie -----------------------------------------------------------------------------------------

  const movieButton = (movie: Movie, extraClass = ''): HTMLButtonElement =>
    h(
      'button',
      { type: 'button', class: `link-button ${extraClass}`.trim(), onclick: () => open(movie, { focusRating: true }) },
      movie.title,
    );

  const genreChips = (genres: string[]): HTMLElement =>
    h('span', { class: 'genres' }, ...genres.map((g) => h('span', { class: 'genre' }, g)));

  function renderMoviePanel(focusRating = false): void {
    if (!current) {
      moviePanel.hidden = true;
      return;
    }
    const movie = current;
    moviePanel.hidden = false;
    const rated = store.get(movie.movieId);
    const stars = starInput({
      scale: options.scale(),
      value: rated?.rating ?? null,
      label: `Your rating for ${movie.title}`,
      onChange: (value) => (value === null ? store.remove(movie.movieId) : store.set(movie, value)),
    });
    const similarList = h('ol', { class: 'similar-list', id: 'similar-list', 'aria-label': `Movies similar to ${movie.title}` });
    const similarStatus = h('p', { class: 'muted', role: 'status' }, 'Loading similar movies…');
    replaceChildren(
      moviePanel,
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'movie-title', tabindex: '-1' }, movie.title),
        h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close this movie', onclick: close }, '×'),
      ),
      genreChips(movie.genres),
      movie.ratingCount === 0
        ? h('p', { class: 'muted' }, 'Not in the training data: the model cannot learn from a rating of it yet.')
        : movie.ratingCount !== undefined
          ? h('p', { class: 'muted' }, `${plural(movie.ratingCount, 'rating')} in the training data`)
          : null,
      h(
        'div',
        { class: 'rate-row' },
        h('span', { class: 'rate-label', 'aria-hidden': 'true' }, 'Your rating'),
        stars,
        h('span', { class: 'rate-value', 'aria-hidden': 'true' }, rated ? `${rated.rating}★` : 'not rated'),
        rated
          ? h(
              'button',
              { type: 'button', class: 'secondary', onclick: () => store.remove(movie.movieId) },
              'Remove rating',
            )
          : null,
      ),
      h(
        'details',
        { class: 'similar', open: !window.matchMedia('(max-width: 760px)').matches },
        h('summary', {}, h('h3', {}, 'Similar movies')),
        similarStatus,
        similarList,
      ),
    );
    if (focusRating) stars.focus();
    loadSimilar(movie, similarList, similarStatus);
  }

  function loadSimilar(movie: Movie, list: HTMLElement, status: HTMLElement): void {
    similarController?.abort();
    const mine = new AbortController();
    similarController = mine;
    similarMovies(movie.movieId, { count: SIMILAR_COUNT, filters: filters.filters() }, mine.signal)
      .then((similar) => {
        if (similarController !== mine) return;
        genres.add(similar.items);
        const none = filters.activeCount()
          ? 'No similar movie passes the filters.'
          : 'No similar movies: the model has too little on this one.';
        status.textContent = similar.items.length ? '' : none;
        status.hidden = similar.items.length > 0;
        replaceChildren(
          list,
          ...similar.items.map((item) =>
            h(
              'li',
              { class: 'similar-item', 'data-movie-id': item.movieId },
              movieButton(item),
              h('span', { class: 'muted small' }, item.genres.slice(0, 3).join(', ')),
            ),
          ),
        );
      })
      .catch((error: unknown) => {
        if (isAbort(error) || similarController !== mine) return;
        if (error instanceof ApiError && error.status === 404) {
          status.textContent = 'No similar movies: nobody rated this one in the training data.';
          return;
        }
        if (error instanceof ApiError && error.status === 400 && filters.showError(error)) {
          status.textContent = `Similar movies not loaded: the service refused a filter (${error.message}).`;
          return;
        }
        status.textContent = 'Similar movies could not be loaded.';
        options.onError(error);
      });
  }

  function open(movie: Movie, openOptions: { focusRating?: boolean } = {}): void {
    current = movie;
    renderMoviePanel(openOptions.focusRating ?? false);
    if (!openOptions.focusRating) byId('movie-title').focus();
    moviePanel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  function close(): void {
    current = null;
    similarController?.abort();
    renderMoviePanel();
    byId('search-input').focus();
  }

  // --- the visitor's ratings ------------------------------------------------------------------------------------

  function renderRated(): void {
    const ratings = store.all();
    ratedCount.textContent = ratings.length ? `(${ratings.length})` : '';
    ratedEmpty.hidden = ratings.length > 0;
    ratedActions.hidden = ratings.length === 0;
    shareOutput.value = shareUrl();
    replaceChildren(
      ratedList,
      ...ratings.map((r) =>
        h(
          'li',
          { class: 'rated-item', 'data-movie-id': r.movieId },
          h('div', { class: 'rated-title' }, movieButton(r), h('span', { class: 'muted small' }, r.genres.slice(0, 3).join(', '))),
          h(
            'div',
            { class: 'rated-controls' },
            starInput({
              scale: options.scale(),
              value: r.rating,
              label: `Your rating for ${r.title}`,
              onChange: (value) => (value === null ? store.remove(r.movieId) : store.set(r, value)),
            }),
            h(
              'button',
              {
                type: 'button',
                class: 'icon-button',
                'aria-label': `Remove your rating for ${r.title}`,
                onclick: () => {
                  store.remove(r.movieId);
                  notify(`Removed your rating for ${r.title}.`, { label: 'Undo', run: () => store.set(r, r.rating) });
                },
              },
              '×',
            ),
          ),
        ),
      ),
    );
  }

  function shareUrl(): string {
    const ratings = store.all();
    return `${location.origin}${location.pathname}${ratings.length ? `#${encodeShare(ratings)}` : ''}`;
  }

  byId('share-button').addEventListener('click', () => {
    shareOutput.value = shareUrl();
    shareOutput.hidden = false;
    shareOutput.select();
    // No clipboard outside secure contexts (plain http on another host): the selected field is the fallback.
    const copied = navigator.clipboard
      ? navigator.clipboard.writeText(shareOutput.value)
      : Promise.reject(new Error('no clipboard'));
    copied.then(
      () => notify('Link copied: it carries your ratings.'),
      () => notify('Copy the selected link to share your ratings.'),
    );
  });
  byId('clear-button').addEventListener('click', () => {
    const previous = store.all();
    store.replaceAll([]);
    notify(`Cleared ${plural(previous.length, 'rating')}.`, { label: 'Undo', run: () => store.replaceAll(previous) });
  });

  // --- recommendations ------------------------------------------------------------------------------------------

  function renderRecs(items: ScoredMovie[]): void {
    const scale = options.scale();
    recsList.classList.remove('is-stale');
    replaceChildren(
      recsList,
      ...items.map((item) =>
        h(
          'li',
          { class: 'rec-item', 'data-movie-id': item.movieId },
          h(
            'div',
            { class: 'rec-main' },
            movieButton(item, 'rec-title'),
            genreChips(item.genres.slice(0, 4)),
            item.because.length ? h('p', { class: 'because muted small' }, becauseText(item.because)) : null,
          ),
          h(
            'div',
            { class: 'rec-score' },
            starDisplay(item.score, scale),
            h('span', { class: 'rec-value', 'aria-hidden': 'true' }, formatNumber(item.score, 1)),
          ),
        ),
      ),
    );
  }

  const refresh = debounce(async () => {
    recsController?.abort();
    const mine = new AbortController();
    recsController = mine;
    const ratings = store.all();
    recsList.setAttribute('aria-busy', 'true');
    try {
      const query: ListQuery = { count: Number(recsCount.value), filters: filters.filters(), explain: true, order: filters.order() };
      const result = await options.list(ratings, query, mine.signal);
      if (recsController !== mine) return;
      filters.clearErrors();
      genres.add(result.items);
      renderRecs(result.items);
      const parts: string[] = [];
      if (!result.items.length && filters.activeCount()) parts.push('No movie passes these filters.');
      else if (!result.items.length) parts.push('No recommendations: the model has no movie left to suggest.');
      else if (result.personalised) parts.push(`Based on your ${plural(ratings.length - result.unknownIds.length, 'rating')}.`);
      else parts.push('Not personalised yet: these are well-liked movies. Rate a few movies you know to get your own list.');
      if (result.unknownIds.length) {
        parts.push(
          `${plural(result.unknownIds.length, 'rated movie')} of yours ${result.unknownIds.length === 1 ? 'is' : 'are'} ` +
            'unknown to this model and ignored.',
        );
      }
      recsStatus.textContent = parts.join(' ');
    } catch (error) {
      if (isAbort(error) || recsController !== mine) return;
      if (error instanceof ApiError && error.status === 400 && filters.showError(error)) {
        // The last good list stays, dimmed: the refusal is shown at the control it names.
        recsList.classList.add('is-stale');
        recsStatus.textContent = `The service refused a filter (${error.message}); the list below is for the filters before.`;
        return;
      }
      recsStatus.textContent = 'Recommendations could not be loaded.';
      options.onError(error);
    } finally {
      if (recsController === mine) recsList.removeAttribute('aria-busy');
    }
  }, 150);

  recsCount.addEventListener('change', () => refresh());
  filters.onChange(() => {
    refresh();
    if (current) renderMoviePanel();
  });

  store.onChange(() => {
    genres.add(store.all());
    renderRated();
    if (current) {
      // Re-render only the rating row's state, keeping focus on the slider the visitor is using.
      const focused = document.activeElement;
      const inPanel = focused instanceof HTMLElement && moviePanel.contains(focused) && focused.getAttribute('role') === 'slider';
      renderMoviePanelRating(inPanel);
    }
    refresh();
  });

  /** After a rating change: update the panel's value text and button without reloading similar movies. */
  function renderMoviePanelRating(keepFocus: boolean): void {
    if (!current) return;
    const row = moviePanel.querySelector('.rate-row');
    if (!row) return;
    const rated = store.get(current.movieId);
    const value = row.querySelector('.rate-value');
    if (value) value.textContent = rated ? `${rated.rating}★` : 'not rated';
    const slider = row.querySelector<HTMLElement>('[role="slider"]');
    if (slider && (slider.dataset.value ?? '') !== (rated ? String(rated.rating) : '')) {
      const movie = current;
      const replacement = starInput({
        scale: options.scale(),
        value: rated?.rating ?? null,
        label: `Your rating for ${movie.title}`,
        onChange: (v) => (v === null ? store.remove(movie.movieId) : store.set(movie, v)),
      });
      slider.replaceWith(replacement);
      if (keepFocus) replacement.focus();
    }
    const removeButton = row.querySelector('button.secondary');
    if (rated && !removeButton) {
      const movie = current;
      row.append(h('button', { type: 'button', class: 'secondary', onclick: () => store.remove(movie.movieId) }, 'Remove rating'));
    } else if (!rated && removeButton) {
      if (removeButton === document.activeElement) row.querySelector<HTMLElement>('[role="slider"]')?.focus();
      removeButton.remove();
    }
  }

  return {
    open,
    refresh: () => refresh(),
    render: () => {
      renderRated();
      renderMoviePanel();
    },
  };
}
