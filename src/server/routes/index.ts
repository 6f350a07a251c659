// Every route of the service, in one list: app.ts registers them and openapi.ts documents them.
import type { RouteDeps } from '../deps.js';
import { openApiRoute } from '../openapi.js';
import { chartRoutes } from './charts.js';
import { healthRoutes } from './health.js';
import { infoRoutes } from './info.js';
import { logRoutes } from './log.js';
import { modelRoutes } from './models.js';
import { movieRoutes } from './movies.js';
import { predictRoutes } from './predict.js';
import { ratingRoutes } from './ratings/index.js';
import { reloadRoutes } from './reload.js';
import { similarRoutes } from './similar.js';
import type { AnyRouteSpec } from './spec.js';
import { userRoutes } from './users.js';

export function allRoutes(deps: RouteDeps): AnyRouteSpec[] {
  const routes: AnyRouteSpec[] = [
    ...predictRoutes(deps),
    ...movieRoutes(deps),
    ...similarRoutes(deps),
    ...userRoutes(deps),
    ...ratingRoutes(deps),
    ...infoRoutes(deps),
    ...chartRoutes(deps),
    ...logRoutes(deps),
    ...modelRoutes(deps),
    ...reloadRoutes(deps),
    ...healthRoutes(deps),
  ];
  routes.push(openApiRoute(() => routes, deps.build.version));
  return routes;
}
