// /api/users/:id/ratings: a person's ratings, given through the API and kept in the rating store (src/store).
//   PUT    /api/users/:id/ratings/:movieId  {"rating": 4.5}   store one rating (durable when answered)
//   DELETE /api/users/:id/ratings/:movieId                    delete it (a tombstone: hides a training rating too)
//   POST   /api/users/:id/ratings  {"ratings": [...]}          several at once, all or none
//   GET    /api/users/:id/ratings?after=&limit=               the person's ratings (training + stored), paged
// The person's next list (GET /api/users/:id/recommendations) is folded in from them at once.
import type { RouterContext } from '@koa/router';
import { z } from 'zod';
import type { StoredRating } from '../../../store/index.js';
import type { RouteDeps } from '../../deps.js';
import { errorResponse } from '../common.js';
import { defineRoute, describeIssues, fieldName, firstField, jsonBody, type AnyRouteSpec } from '../spec.js';
import { badRequest } from '../../errors.js';
import { checkMovie, checkRating, modelScale } from './checks.js';
import {
  batchBody,
  batchResponse,
  pageQuery,
  pageResponse,
  putBody,
  storedResponse,
  userMovieParams,
  userParam,
} from './schema.js';

const unavailable = errorResponse('No model loaded, or the rating store is unavailable (Retry-After)');
const unknownMovie = errorResponse("A movie id not in the model's catalogue; the message names it");

function parseBody<S extends z.ZodType>(ctx: RouterContext, schema: S, shape: string): z.output<S> {
  const result = schema.safeParse(jsonBody(ctx, shape));
  if (!result.success) throw badRequest(describeIssues(result.error, ''), firstField(result.error, (p) => fieldName(p)));
  return result.data;
}

const iso = (ms: number) => new Date(ms).toISOString();

function stored(e: StoredRating): z.output<typeof storedResponse> {
  return { userId: e.userId, movieId: e.movieId, rating: e.rating, time: iso(e.time) };
}

export function ratingRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'put',
      path: '/api/users/:id/ratings/:movieId',
      operationId: 'putRating',
      tag: 'ratings',
      summary: "Store a person's rating of a movie",
      description:
        'Replaces any earlier rating of the movie by this user (the training data\'s included). Answered once the ' +
        'rating is durable. A new user id starts a new person. Refused with 400 when the rating is not on the ' +
        "model's scale (GET /api/info: model.scale, value and step), with 404 when the movie is not in the catalogue.",
      params: userMovieParams,
      body: { schema: putBody, required: true, description: 'The rating' },
      responses: {
        200: { description: 'The rating as stored', schema: storedResponse },
        400: errorResponse('Bad id, body or rating; `field` names it'),
        404: unknownMovie,
        415: errorResponse('Content type is not application/json'),
        503: unavailable,
      },
      handler: async (ctx, { params }) => {
        const body = parseBody(ctx, putBody, '{"rating": 4.5}');
        checkRating(body.rating, modelScale(deps), 'rating');
        checkMovie(deps, params.movieId, 'movieId');
        const [entry] = await deps.store.write([{ userId: params.id, movieId: params.movieId, rating: body.rating }]);
        ctx.body = stored(entry);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/users/:id/ratings/:movieId',
      operationId: 'deleteRating',
      tag: 'ratings',
      summary: "Delete a person's rating of a movie",
      description:
        'Stores a deletion: the movie counts as unrated by this user from now on, even when the training data ' +
        'rated it (the next list and the next training with events leave that rating out). Idempotent.',
      params: userMovieParams,
      responses: {
        200: { description: 'The deletion as stored (rating null)', schema: storedResponse },
        400: errorResponse('Bad id; `field` names it'),
        404: unknownMovie,
        503: unavailable,
      },
      handler: async (ctx, { params }) => {
        modelScale(deps);
        checkMovie(deps, params.movieId, 'movieId');
        const [entry] = await deps.store.write([{ userId: params.id, movieId: params.movieId, rating: null }]);
        ctx.body = stored(entry);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/:id/ratings',
      operationId: 'postRatings',
      tag: 'ratings',
      summary: 'Store several ratings of a person at once',
      description:
        'All or none: every rating is checked (scale, catalogue) before any is stored, then they are stored in ' +
        'one transaction. A null rating deletes. Answered once they are durable.',
      params: userParam,
      body: { schema: batchBody, required: true, description: 'The ratings' },
      responses: {
        200: { description: 'The ratings as stored, in the order given', schema: batchResponse },
        400: errorResponse('Bad id, body or rating; `field` names it, e.g. ratings[3].rating'),
        404: unknownMovie,
        413: errorResponse('Body larger than BODY_LIMIT'),
        415: errorResponse('Content type is not application/json'),
        503: unavailable,
      },
      handler: async (ctx, { params }) => {
        const body = parseBody(ctx, batchBody, '{"ratings": [{"movieId": 1, "rating": 4.5}, ...]}');
        const scale = modelScale(deps);
        body.ratings.forEach((r, i) => {
          if (r.rating !== null) checkRating(r.rating, scale, `ratings[${i}].rating`);
          checkMovie(deps, r.movieId, `ratings[${i}].movieId`);
        });
        const entries = await deps.store.write(body.ratings.map((r) => ({ userId: params.id, ...r })));
        ctx.body = {
          userId: params.id,
          items: entries.map(({ userId: _userId, ...rest }) => ({ ...rest, time: iso(rest.time) })),
        } satisfies z.output<typeof batchResponse>;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/users/:id/ratings',
      operationId: 'listRatings',
      tag: 'ratings',
      summary: "A person's ratings: the training data's and those given since, paged by movie id",
      description:
        'The ratings the next list is folded in from: the training ratings of this user with the stored ones ' +
        'applied (a stored rating replaces the training one, a deletion hides it). Paged by movie id: pass the ' +
        "answer's `next` as `after` for the next page.",
      params: userParam,
      query: pageQuery,
      responses: {
        200: { description: 'One page of ratings, by movie id', schema: pageResponse },
        400: errorResponse('Bad id, after or limit'),
        503: unavailable,
      },
      handler: async (ctx, { params, query }) => {
        modelScale(deps);
        const given = await deps.store.forUser(params.id);
        const times = new Map(given.map((e) => [e.movieId, e.time]));
        const all = deps.model.ratingsOf(params.id, given);
        const from = query.after === undefined ? 0 : all.findIndex((r) => r.movieId > (query.after as number));
        const page = from < 0 ? [] : all.slice(from, from + query.limit);
        const more = from >= 0 && from + query.limit < all.length;
        ctx.body = {
          userId: params.id,
          items: page.map((r) => {
            const time = times.get(r.movieId);
            return {
              movieId: r.movieId,
              title: deps.model.movie(r.movieId)?.title ?? '',
              rating: r.rating,
              source: time === undefined ? 'training' : 'stored',
              time: time === undefined ? null : iso(time),
            } as const;
          }),
          next: more ? (page.at(-1)?.movieId ?? null) : null,
        } satisfies z.output<typeof pageResponse>;
      },
    }),
  ];
}
