// The "Who are you?" card: naming oneself (a user id, kept by Identity) moves the browser's ratings to the service and
// shows the ratings it holds for that id (training ones too); from then on each change of a rating is written there
// (in order, one at a time) and the list comes from /api/users/:id/recommendations once the writes before it are
// answered. "Rate anonymously" forgets the id (the ratings stay on the service under it).

import { ApiError, type ListQuery, type Recommendations, recommend, userRatings, userRecommendations, writeRatings } from './api';
import { byId } from './dom';
import { Identity, parseUserId } from './identity';
import type { RatedMovie, RatingStore } from './ratings';

export interface IdentityViewOptions {
  store: RatingStore;
  onError: (error: unknown) => void;
  notify: (message: string) => void;
}

export interface IdentityView {
  /** The list for the visitor: theirs on the service when named, else from the browser's ratings. */
  list: (ratings: RatedMovie[], query: ListQuery, signal: AbortSignal) => Promise<Recommendations>;
  /** A named visitor's ratings from the service (at start and when the service comes back). */
  sync: () => Promise<void>;
}

export function setUpIdentityView(options: IdentityViewOptions): IdentityView {
  const { store, onError, notify } = options;
  const identity = new Identity();
  const form = byId<HTMLFormElement>('identity-form');
  const input = byId<HTMLInputElement>('identity-input');
  const forget = byId<HTMLButtonElement>('identity-forget');
  const status = byId('identity-status');
  let writes: Promise<void> = Promise.resolve();

  function render(): void {
    const userId = identity.get();
    forget.hidden = userId === null;
    if (userId !== null) input.value = String(userId);
    status.textContent =
      userId === null
        ? 'Anonymous: your ratings stay in this browser. Give a user id (any number) to keep them on the service.'
        : `Rating as user ${userId}: your ratings are kept by the service.`;
  }

  async function sync(): Promise<void> {
    const userId = identity.get();
    if (userId === null) return;
    try {
      await writes;
      store.load((await userRatings(userId)).map((r) => ({ ...r, genres: store.get(r.movieId)?.genres ?? [] })));
    } catch (error) {
      onError(error);
    }
  }

  store.onWrite((changes) => {
    const userId = identity.get();
    if (userId === null) return;
    // A refused write (e.g. a movie the model does not know) is said, and the view goes back to what the service holds.
    writes = writes.then(() => writeRatings(userId, changes)).catch(async (error: unknown) => {
      onError(error);
      writes = Promise.resolve();
      await sync();
    });
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const userId = parseUserId(input.value);
    if (userId === null) {
      status.textContent = 'A user id is a whole number, e.g. 700001.';
      input.focus();
      return;
    }
    const mine = store.all();
    identity.set(userId);
    render();
    writes = writes
      .then(() => (mine.length ? writeRatings(userId, mine.map(({ movieId, rating }) => ({ movieId, rating }))) : undefined))
      .then(() => {
        if (mine.length) notify(`Your ${mine.length} rating${mine.length === 1 ? '' : 's'} from this browser went to user ${userId}.`);
      })
      .catch((error: unknown) => {
        // The service refused the id (e.g. out of range): stay anonymous and say why.
        if (error instanceof ApiError && error.status === 400) {
          identity.set(null);
          render();
        }
        onError(error);
      });
    void sync();
  });

  forget.addEventListener('click', () => {
    const userId = identity.get();
    identity.set(null);
    input.value = '';
    render();
    store.load([]);
    notify(`Rating anonymously now; user ${userId}'s ratings stay on the service.`);
  });

  render();
  return {
    sync,
    list: async (ratings, query, signal) => {
      const userId = identity.get();
      if (userId === null) return recommend(ratings, query, signal);
      await writes;
      try {
        return await userRecommendations(userId, query, signal);
      } catch (error) {
        // A new id with nothing rated yet: nobody's list, the well-liked movies.
        if (error instanceof ApiError && error.status === 404) return recommend([], query, signal);
        throw error;
      }
    },
  };
}
