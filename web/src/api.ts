// The page's only way to the service: the public REST API (issue 3), with relative URLs so the page also works when a
// proxy mounts the service under a path. Responses are read defensively (a field missing or of another type becomes a
// default) so a partial answer degrades the view instead of breaking it.

export interface Scale {
  min: number;
  max: number;
  step: number;
}

export interface Movie {
  movieId: number;
  title: string;
  genres: string[];
  /** Ratings in the training data, when the service says. */
  ratingCount?: number;
}

/** One of the person's rated movies and its share of the score that chose a recommendation. */
export interface Because {
  movieId: number;
  title: string;
  /** 0..1; over all the person's rated movies the shares sum to 1. */
  share: number;
}

export interface ScoredMovie extends Movie {
  /** Estimated rating (recommendations) or similarity (similar movies). */
  score: number;
  /** With `explain`: the rated movies that contributed most to choosing it, largest share first (else empty). */
  because: Because[];
}

/** The filters every list takes, applied by the service before the top-M cut. Empty or undefined: not filtered. */
export interface ListFilters {
  /** Any of these genres. */
  genres?: string[];
  excludeGenres?: string[];
  yearMin?: number;
  yearMax?: number;
  /** At least this many ratings in the training data. */
  minRatings?: number;
  /** Movie ids never listed. */
  exclude?: number[];
}

export type ListOrder = 'estimate' | 'score';

/** How a list is asked for: its length, filters and, for a person's list, explanations and order. */
export interface ListQuery {
  count: number;
  filters?: ListFilters;
  explain?: boolean;
  order?: ListOrder;
}

/**
 * The query string of a list (`M=20&genres=Animation,Comedy&yearMin=1990&explain=true`), in one place for every list
 * endpoint. Values are sent as given (the service validates them and names the parameter at fault); empty lists and
 * undefined values are left out, and so are `explain=false` and `order=estimate`, the service's defaults.
 */
export function listQueryString(query: ListQuery): string {
  const params = new URLSearchParams({ M: String(query.count) });
  const filters = query.filters ?? {};
  const lists: [string, (string | number)[] | undefined][] = [
    ['genres', filters.genres],
    ['excludeGenres', filters.excludeGenres],
    ['exclude', filters.exclude],
  ];
  for (const [name, values] of lists) if (values?.length) params.set(name, values.join(','));
  const numbers: [string, number | undefined][] = [
    ['yearMin', filters.yearMin],
    ['yearMax', filters.yearMax],
    ['minRatings', filters.minRatings],
  ];
  for (const [name, value] of numbers) if (value !== undefined) params.set(name, String(value));
  if (query.explain) params.set('explain', 'true');
  if (query.order && query.order !== 'estimate') params.set('order', query.order);
  return params.toString();
}

export interface Recommendations {
  items: ScoredMovie[];
  unknownIds: number[];
  personalised: boolean;
}

export interface Similar {
  items: ScoredMovie[];
}

export interface IterationStats {
  iteration: number;
  trainRmse: number;
  elapsedSeconds: number;
}

export interface RatingMetrics {
  rmse: number;
  mae: number;
  count: number;
}

export interface RankingMetrics {
  k: number;
  precision: number;
  recall: number;
  ndcg: number;
  /** NaN in a model.json written before MAP@k was reported. */
  map: number;
  coverage: number;
  users: number;
}

export interface Evaluation {
  datasetPath: string;
  evaluatedAt: string;
  model: { rating?: RatingMetrics; ranking?: RankingMetrics };
  biasOnly: { rating?: RatingMetrics; ranking?: RankingMetrics };
  popularity: { ranking?: RankingMetrics };
}

export interface ModelSummary {
  /** The model version served (`GET /api/models` lists them); empty from a service before versions. */
  version: string;
  trainedAt: string;
  params: Record<string, unknown>;
  datasetPath: string;
  datasetRatings?: number;
  trainingSeconds?: number;
  history: IterationStats[];
  scale: Scale;
  counts: { users?: number; movies?: number; factors?: number };
  evaluation: Evaluation | null;
}

export interface ServiceInfo {
  authorName: string;
  authorContact: string;
  version: string;
  commit: string;
  imageBuiltAt: string | null;
  /** What the service says instead of an image build date (e.g. "not running from an image"). */
  imageNote: string;
  uptimeSeconds: number | null;
  /** ready, no-model, bootstrapping, ... */
  modelStatus: string;
  model: ModelSummary | null;
}

/** The service answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The input at fault (a query parameter such as `yearMin`), when the service names one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer at all (network down, service stopped, proxy gateway error). */
export class UnreachableError extends Error {
  constructor(message = 'The service cannot be reached.') {
    super(message);
    this.name = 'UnreachableError';
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export const DEFAULT_SCALE: Scale = { min: 0.5, max: 5, step: 0.5 };

async function request(path: string, init: RequestInit = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...init.headers } });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new UnreachableError();
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const err = record(record(body).error);
    const code = str(err.code) || `HTTP_${response.status}`;
    const message = str(err.message) || text.slice(0, 200) || response.statusText;
    // A gateway between the page and the service answers these when the service is down.
    if (!str(err.code) && [502, 504].includes(response.status)) throw new UnreachableError();
    throw new ApiError(response.status, code, message, str(err.field) || undefined);
  }
  return body;
}

export type Readiness = { ready: true } | { ready: false; message: string; code: string };

/** `/readyz`: 200 when a model is loaded, 503 (with how to train one) when not. */
export async function readiness(): Promise<Readiness> {
  try {
    await request('readyz');
    return { ready: true };
  } catch (error) {
    if (error instanceof ApiError && error.status === 503) return { ready: false, message: error.message, code: error.code };
    throw error;
  }
}

/** `{items: [{movieId, title, genres, ratingCount}]}`, best match first. */
export async function searchMovies(query: string, limit: number, signal?: AbortSignal): Promise<Movie[]> {
  const params = new URLSearchParams({ q: query, limit: String(limit) });
  const body = await request(`api/movies?${params}`, { signal });
  return list(body, ['items']).map(movie);
}

export async function getMovie(movieId: number): Promise<Movie> {
  return movie(await request(`api/movies/${movieId}`));
}

/** `{movieId, items: [{movieId, title, genres, rating}]}` where rating is the cosine similarity (filters only). */
export async function similarMovies(
  movieId: number,
  query: Pick<ListQuery, 'count' | 'filters'>,
  signal?: AbortSignal,
): Promise<Similar> {
  const body = await request(`api/similar/${movieId}?${listQueryString({ count: query.count, filters: query.filters })}`, {
    signal,
  });
  return { items: list(body, ['items']).map(scoredMovie) };
}

export async function recommend(
  ratings: { movieId: number; rating: number }[],
  query: ListQuery,
  signal?: AbortSignal,
): Promise<Recommendations> {
  const body = record(
    await request(`predict?format=full&${listQueryString(query)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ movies: ratings.map((r) => r.movieId), ratings: ratings.map((r) => r.rating) }),
      signal,
    }),
  );
  const unknown = body.ignoredIds ?? body.unknownIds;
  return {
    items: list(body, ['items']).map(scoredMovie),
    unknownIds: Array.isArray(unknown) ? unknown.map(Number).filter(Number.isFinite) : [],
    personalised: typeof body.personalised === 'boolean' ? body.personalised : ratings.length > 0,
  };
}

/** Ratings per POST /api/users/:id/ratings: the service's MAX_BATCH (test/e2e/web.test.ts checks they agree). */
export const RATINGS_PER_BATCH = 1000;

const userPath = (userId: number) => `api/users/${userId}/ratings`;

/** A named visitor's changes of ratings (null: removed): one PUT or DELETE, or batches of POST (all or none each). */
export async function writeRatings(userId: number, writes: { movieId: number; rating: number | null }[]): Promise<void> {
  const json = { 'content-type': 'application/json' };
  const [only] = writes;
  if (writes.length === 1 && only) {
    const { movieId, rating } = only;
    await request(`${userPath(userId)}/${movieId}`, rating === null ? { method: 'DELETE' } : { method: 'PUT', headers: json, body: JSON.stringify({ rating }) });
    return;
  }
  for (let i = 0; i < writes.length; i += RATINGS_PER_BATCH) {
    const ratings = writes.slice(i, i + RATINGS_PER_BATCH);
    await request(userPath(userId), { method: 'POST', headers: json, body: JSON.stringify({ ratings }) });
  }
}

/** Every rating the service holds for a user (training ones and those given since), page by page. */
export async function userRatings(userId: number): Promise<(Movie & { rating: number })[]> {
  const out: (Movie & { rating: number })[] = [];
  let after: number | null = null;
  do {
    const page = record(await request(`${userPath(userId)}?limit=${RATINGS_PER_BATCH}${after === null ? '' : `&after=${after}`}`));
    for (const item of list(page, ['items']).map(record)) {
      out.push({ movieId: num(item.movieId), title: str(item.title), genres: [], rating: num(item.rating) });
    }
    after = typeof page.next === 'number' ? page.next : null;
  } while (after !== null);
  return out;
}

/** A named visitor's list: `/api/users/:id/recommendations` (their stored ratings folded in at once). */
export async function userRecommendations(userId: number, query: ListQuery, signal?: AbortSignal): Promise<Recommendations> {
  const body = record(await request(`api/users/${userId}/recommendations?${listQueryString(query)}`, { signal }));
  return { items: list(body, ['items']).map(scoredMovie), unknownIds: [], personalised: body.personalised === true };
}

/**
 * `/api/info`: `{author: {name, contact}, version, commit, imageBuiltAt (ISO or a sentence), startedAt, uptimeSeconds,
 * modelStatus, model: {version, trainedAt, trainingSeconds, params, dataset: {name, ratings, ...}, scale, counts, history?,
 * metrics: {evaluatedAt, dataset, model, biasOnly, popularity} | null} | null}`.
 */
export async function serviceInfo(): Promise<ServiceInfo> {
  const body = record(await request('api/info'));
  const author = record(body.author);
  const image = str(body.imageBuiltAt);
  const imageIsDate = /^\d{4}-\d{2}-\d{2}T/.test(image);
  return {
    authorName: str(author.name),
    authorContact: str(author.contact),
    version: str(body.version),
    commit: str(body.commit),
    imageBuiltAt: imageIsDate ? image : null,
    imageNote: imageIsDate ? '' : image,
    uptimeSeconds: typeof body.uptimeSeconds === 'number' ? body.uptimeSeconds : null,
    modelStatus: str(body.modelStatus),
    model: body.model ? modelSummary(record(body.model)) : null,
  };
}

/** `/api/log`: the last `n` lines of the service log. */
export async function logLines(n: number): Promise<string[]> {
  const body = await request(`api/log?n=${n}`);
  if (typeof body === 'string') return body.split('\n');
  return list(body, ['lines']).map((line) => (typeof line === 'string' ? line : JSON.stringify(line)));
}

export const LOG_DOWNLOAD_URL = 'api/log/download';

// --- reading answers ------------------------------------------------------------------------------------------------

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function num(value: unknown, fallback = Number.NaN): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}

function optionalNum(value: unknown): number | undefined {
  const n = num(value);
  return Number.isFinite(n) ? n : undefined;
}

/** The array itself, or the first array-valued field among `keys`. */
function list(body: unknown, keys: string[]): unknown[] {
  if (Array.isArray(body)) return body;
  const obj = record(body);
  for (const key of keys) if (Array.isArray(obj[key])) return obj[key] as unknown[];
  return [];
}

function genres(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(str).filter((g) => g && g !== '(no genres listed)');
  if (typeof value === 'string') return genres(value.split('|'));
  return [];
}

function movie(value: unknown): Movie {
  const o = record(value);
  const movieId = num(o.movieId ?? o.id ?? o.movie_id);
  return {
    movieId,
    title: str(o.title ?? o.name) || `Movie ${movieId}`,
    genres: genres(o.genres),
    ratingCount: optionalNum(o.ratingCount ?? o.ratings),
  };
}

function scoredMovie(value: unknown): ScoredMovie {
  const o = record(value);
  return {
    ...movie(o),
    score: num(o.rating ?? o.estimatedRating ?? o.estimate ?? o.similarity ?? o.score, 0),
    because: list(o.because, []).map(because).filter((b) => Number.isFinite(b.movieId) && Number.isFinite(b.share)),
  };
}

function because(value: unknown): Because {
  const o = record(value);
  const movieId = num(o.movieId);
  return { movieId, title: str(o.title) || `Movie ${movieId}`, share: num(o.share) };
}

function scale(value: unknown): Scale {
  const o = record(value);
  const min = num(o.min);
  const max = num(o.max);
  const step = num(o.step);
  if (!(min >= 0 && max > min && step > 0)) return DEFAULT_SCALE;
  return { min, max, step };
}

function ratingMetrics(value: unknown): RatingMetrics | undefined {
  const o = record(value);
  if (!Number.isFinite(num(o.rmse))) return undefined;
  return { rmse: num(o.rmse), mae: num(o.mae), count: num(o.count, 0) };
}

function rankingMetrics(value: unknown): RankingMetrics | undefined {
  const o = record(value);
  if (!Number.isFinite(num(o.precision))) return undefined;
  return {
    k: num(o.k, 10),
    precision: num(o.precision),
    recall: num(o.recall),
    ndcg: num(o.ndcg),
    map: num(o.map),
    coverage: num(o.coverage),
    users: num(o.users, 0),
  };
}

function evaluation(value: unknown): Evaluation | null {
  const o = record(value);
  if (!o.model) return null;
  const dataset = o.dataset;
  const model = record(o.model);
  const biasOnly = record(o.biasOnly);
  const popularity = record(o.popularity);
  return {
    datasetPath: typeof dataset === 'string' ? dataset : str(record(dataset).name ?? record(dataset).path),
    evaluatedAt: str(o.evaluatedAt),
    model: { rating: ratingMetrics(model.rating), ranking: rankingMetrics(model.ranking) },
    biasOnly: { rating: ratingMetrics(biasOnly.rating), ranking: rankingMetrics(biasOnly.ranking) },
    popularity: { ranking: rankingMetrics(popularity.ranking) },
  };
}

function modelSummary(o: Record<string, unknown>): ModelSummary {
  const dataset = record(o.dataset);
  const counts = record(o.counts);
  const history = Array.isArray(o.history) ? o.history : [];
  return {
    version: str(o.version),
    trainedAt: str(o.trainedAt),
    params: record(o.params),
    datasetPath: str(dataset.name ?? dataset.path),
    datasetRatings: optionalNum(dataset.ratings),
    trainingSeconds: optionalNum(o.trainingSeconds),
    history: history
      .map((entry) => {
        const e = record(entry);
        return { iteration: num(e.iteration), trainRmse: num(e.trainRmse), elapsedSeconds: num(e.elapsedSeconds, 0) };
      })
      .filter((e) => Number.isFinite(e.iteration) && Number.isFinite(e.trainRmse)),
    scale: scale(o.scale),
    counts: { users: optionalNum(counts.users), movies: optionalNum(counts.movies), factors: optionalNum(counts.factors) },
    evaluation: evaluation(o.metrics ?? o.evaluation),
  };
}
