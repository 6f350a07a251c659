// Serves the built web page (web/dist, made by `npm run build:web`) at `/`. The folder is small, so it is read once
// into memory when the app is created: a request can only ever get one of those files (no path reaches the disk, so
// no traversal), with its content type, an ETag, a gzip copy when the client takes it, and caching that fits the name:
// hashed bundles (`app.<hash>.js`) are immutable, everything else is revalidated. The Content-Security-Policy the page
// lives under (same origin only, nothing inline) is set for every response by middleware/securityHeaders.ts.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Middleware } from 'koa';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const HASHED_NAME = /\.[0-9a-f]{8,}\.(?:js|css)$/;
const MAX_FILES = 200;

interface Asset {
  body: Buffer;
  gzipped: Buffer | null;
  type: string;
  etag: string;
  cacheControl: string;
}

export interface WebOptions {
  /** The built page folder; default: the nearest `web/dist` above this module (works from src/ and dist/). */
  root?: string;
}

/** Finds `web/dist` walking up from `start` (src/server/static under tsx, dist/src/server/static when compiled). */
export function findWebDist(start: string = __dirname): string | null {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'web', 'dist');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (assets.size >= MAX_FILES) throw new Error(`${root} has more than ${MAX_FILES} files: is it the built page?`);
      const full = path.join(dir, entry.name);
      const key = prefix + entry.name;
      if (entry.isDirectory()) {
        walk(full, `${key}/`);
        continue;
      }
      if (!entry.isFile() || !statSync(full).isFile()) continue;
      const type = CONTENT_TYPES[path.extname(entry.name).toLowerCase()];
      if (!type) continue;
      const body = readFileSync(full);
      const compressible = !type.startsWith('image/png') && body.length > 1024;
      assets.set(key, {
        body,
        gzipped: compressible ? gzipSync(body, { level: 9 }) : null,
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        cacheControl: HASHED_NAME.test(entry.name) ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
  };
  walk(root, '');
  return assets;
}

/** The asset a request path names, or null (then the request goes on to the API routes). */
function assetKey(requestPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return null;
  return segments.length === 0 ? 'index.html' : segments.join('/');
}

/**
 * Koa middleware serving the page. GET and HEAD of `/`, `/index.html` and the built files answer from memory; any
 * other request goes to `next`. When the page was not built, `/` says how to build it.
 */
export function serveWeb(options: WebOptions = {}): Middleware {
  const root = options.root ?? findWebDist();
  const assets = root && existsSync(path.join(root, 'index.html')) ? loadAssets(root) : new Map<string, Asset>();

  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      await next();
      return;
    }
    const key = assetKey(ctx.path);
    const asset = key === null ? undefined : assets.get(key);
    if (!asset) {
      if (key === 'index.html' && assets.size === 0) {
        ctx.status = 404;
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = 'The web page is not built: run `npm run build:web` (or `npm run build`). The REST API works.\n';
        return;
      }
      await next();
      return;
    }
    ctx.status = 200;
    ctx.type = asset.type;
    ctx.set('Cache-Control', asset.cacheControl);
    ctx.set('ETag', asset.etag);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.vary('Accept-Encoding');
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    if (asset.gzipped && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = asset.gzipped;
    } else {
      ctx.body = asset.body;
    }
  };
}
