// What the ratings schemas cannot say, checked against the loaded model: a rating lies on its scale (value and
// step), and a movie is in its catalogue (the trained movies and the movies file's; an unknown one is a 404 naming
// the id).
import type { RatingScale } from '../../../model/types.js';
import type { RouteDeps } from '../../deps.js';
import { ApiError, badRequest } from '../../errors.js';

/** The loaded model's scale, or the 503 that says there is no model. */
export function modelScale(deps: RouteDeps): RatingScale {
  deps.lifecycle.requireReady();
  const scale = deps.model.ratingScale();
  if (!scale) throw deps.lifecycle.notReadyError();
  return scale;
}

/** A rating from min to max in whole steps from min (0.5..5 by 0.5 on ml-latest; 1..5 by 1 on ml-1m). */
export function checkRating(rating: number, scale: RatingScale, field: string): void {
  const steps = (rating - scale.min) / scale.step;
  if (rating < scale.min || rating > scale.max || Math.abs(steps - Math.round(steps)) > 1e-6) {
    throw badRequest(
      `${field}: ${rating} is not on the model's rating scale (${scale.min} to ${scale.max} in steps of ${scale.step})`,
      field,
    );
  }
}

export function checkMovie(deps: RouteDeps, movieId: number, field: string): void {
  if (!deps.model.movie(movieId)) {
    throw new ApiError(404, 'MOVIE_NOT_FOUND', `${field}: movie ${movieId} is not in the model's catalogue`, { field });
  }
}
