// Entry point: the service state (ready, no model yet, unreachable), the two views and their URL fragments
// (`#recommend`, `#model`), shared ratings arriving as `#r=...`, and the notice line.

import { ApiError, DEFAULT_SCALE, type Scale, UnreachableError, getMovie, readiness, serviceInfo } from './api';
import { byId, h, replaceChildren } from './dom';
import { setUpFilters } from './filters';
import { GenreCatalogue, sampleGenres } from './genres';
import { createModelView } from './modelView';
import { RatingStore, SHARE_PREFIX, decodeShare } from './ratings';
import { setUpIdentityView } from './identityView';
import { createRecommendView } from './recommend';
import { setUpSearch } from './search';

type ServiceState = 'checking' | 'ready' | 'no-model' | 'unreachable';
type View = 'recommend' | 'model';

const RETRY_MS = 5000;

let scale: Scale = DEFAULT_SCALE;
let state: ServiceState = 'checking';
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let view: View = 'recommend';
let modelViewLoaded = false;

const store = new RatingStore();

// --- notices -------------------------------------------------------------------------------------------------------

const notice = byId('notice');
let noticeTimer: ReturnType<typeof setTimeout> | undefined;

function notify(message: string, action?: { label: string; run: () => void }): void {
  if (noticeTimer !== undefined) clearTimeout(noticeTimer);
  const button = action
    ? h('button', { type: 'button', class: 'secondary', onclick: () => { action.run(); hideNotice(); } }, action.label)
    : null;
  replaceChildren(notice, h('span', {}, message), button);
  notice.hidden = false;
  noticeTimer = setTimeout(hideNotice, action ? 10000 : 5000);
}

function hideNotice(): void {
  notice.hidden = true;
  replaceChildren(notice);
}

// --- service state -------------------------------------------------------------------------------------------------

function setState(next: ServiceState, message = '', code = ''): void {
  state = next;
  document.body.dataset.service = next;
  const pill = byId('service-state');
  pill.textContent = { checking: 'Connecting…', ready: 'Model ready', 'no-model': 'No model yet', unreachable: 'Offline' }[next];
  // The service trains the demo model on first start: say that it is coming rather than missing.
  if (next === 'no-model' && code === 'BOOTSTRAPPING') pill.textContent = 'Preparing model…';
  pill.className = `pill pill-${next}`;

  const banner = byId('service-banner');
  if (next === 'unreachable') {
    replaceChildren(
      banner,
      h('strong', {}, 'The service cannot be reached. '),
      'Your ratings are kept in this browser; the page retries every few seconds. ',
      h('button', { type: 'button', class: 'secondary', onclick: () => void checkService() }, 'Retry now'),
    );
    banner.hidden = false;
  } else if (next === 'no-model') {
    replaceChildren(
      banner,
      h('strong', {}, 'No model yet. '),
      message ? h('span', {}, `The service says: ${message}. `) : null,
      'The page will notice when a model is loaded. ',
      h('button', { type: 'button', class: 'secondary', onclick: () => void checkService() }, 'Check again'),
    );
    banner.hidden = false;
  } else {
    banner.hidden = true;
    replaceChildren(banner);
  }
  search.setEnabled(next === 'ready');
  byId('recommend-main').classList.toggle('is-disabled', next !== 'ready');

  if (retryTimer !== undefined) clearTimeout(retryTimer);
  retryTimer = next === 'no-model' || next === 'unreachable' ? setTimeout(() => void checkService(), RETRY_MS) : undefined;
}

async function checkService(): Promise<void> {
  try {
    const ready = await readiness();
    if (!ready.ready) {
      setState('no-model', ready.message, ready.code);
      return;
    }
    const info = await serviceInfo();
    if (info.model) scale = info.model.scale;
    const wasReady = state === 'ready';
    setState('ready');
    if (!wasReady) {
      sampleGenres(genres).catch(handleError);
      await identityView.sync();
      await importShared();
      recommendView.render();
      recommendView.refresh();
      if (view === 'model') void modelView.load();
    }
  } catch (error) {
    handleError(error);
  }
}

/** What every failed request ends in: the service state when it explains the failure, else a notice. */
function handleError(error: unknown): void {
  if (error instanceof UnreachableError) {
    if (state !== 'unreachable') setState('unreachable');
  } else if (error instanceof ApiError && error.status === 503) {
    if (state !== 'no-model') setState('no-model', error.message, error.code);
  } else if (error instanceof ApiError) {
    notify(`The service refused the request: ${error.message}`);
  } else {
    notify('Something went wrong on this page; please reload it.');
    console.warn(error);
  }
}

// --- shared ratings ------------------------------------------------------------------------------------------------

/** `#r=1:4,50:3.5` replaces the ratings (with an undo), then the fragment is cleared so a reload keeps later edits. */
async function importShared(): Promise<void> {
  const fragment = location.hash.slice(1);
  if (!fragment.startsWith(SHARE_PREFIX)) return;
  history.replaceState(null, '', `${location.pathname}${location.search}#recommend`);
  const decoded = decodeShare(fragment, scale);
  if (!decoded.ratings.length) {
    notify('The shared link carries no ratings this page can read.');
    return;
  }
  const previous = store.all();
  store.replaceAll(
    decoded.ratings.map((r) => ({ movieId: r.movieId, rating: r.rating, title: `Movie ${r.movieId}`, genres: [] })),
  );
  const skipped = decoded.rejected.length ? ` (${decoded.rejected.length} unreadable entries skipped)` : '';
  const count = decoded.ratings.length;
  notify(`Loaded ${count} rating${count === 1 ? '' : 's'} from a shared link${skipped}.`, {
    label: 'Undo',
    run: () => store.replaceAll(previous),
  });
  // Titles: shared links carry ids only.
  await Promise.all(
    decoded.ratings.map(async (r) => {
      try {
        store.describe(await getMovie(r.movieId));
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) handleError(error);
      }
    }),
  );
}

// --- views ---------------------------------------------------------------------------------------------------------

function showView(next: View, moveFocus: boolean): void {
  view = next;
  for (const name of ['recommend', 'model'] as const) {
    byId(`view-${name}`).hidden = name !== next;
    const link = byId(`nav-${name}`);
    if (name === next) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = next === 'model' ? 'Model · movierec' : 'movierec: rate movies, get recommendations';
  if (next === 'model' && (!modelViewLoaded || moveFocus) && state !== 'unreachable') {
    modelViewLoaded = true;
    void modelView.load();
  }
  if (moveFocus) byId(`heading-${next}`).focus();
}

function viewFromHash(): View {
  return location.hash === '#model' ? 'model' : 'recommend';
}

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith(`#${SHARE_PREFIX}`)) {
    void importShared().then(() => recommendView.refresh());
    showView('recommend', false);
    return;
  }
  showView(viewFromHash(), true);
});

const genres = new GenreCatalogue();
const filters = setUpFilters(genres);
const search = setUpSearch({
  onPick: (movie) => {
    genres.add([movie]);
    recommendView.open(movie, { focusRating: true });
  },
  ratingOf: (movieId) => store.get(movieId)?.rating,
  onError: handleError,
});
const identityView = setUpIdentityView({ store, onError: handleError, notify });
const recommendView = createRecommendView({
  store,
  scale: () => scale,
  list: identityView.list,
  filters,
  genres,
  onError: handleError,
  notify,
});
const modelView = createModelView({ onError: handleError });

recommendView.render();
showView(viewFromHash(), false);
setState('checking');
void checkService();
