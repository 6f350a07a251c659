// Gives every request an id (the client's X-Request-Id when it is a sane token, else a new UUID), exposes it on
// ctx.state.requestId and echoes it in the X-Request-Id response header, so a client can quote it and an operator can
// find the matching log lines.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestId(): Middleware {
  return async (ctx, next) => {
    const offered = ctx.get('X-Request-Id');
    const id = CLIENT_ID.test(offered) ? offered : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
