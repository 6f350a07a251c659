// Version, git commit and image build time, computed once at start. The image build writes a small JSON file
// (scripts/write-build-info.cjs to BUILD_INFO_PATH, default ./build-info.json):
// {"version": "0.1.0", "commit": "<git sha>", "buildDate": "<ISO date-time>"}. Outside an image there is no such
// file: the version comes from package.json and the commit from `git rev-parse HEAD` when running in a checkout.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'log4js';
import type { BuildFacts } from './deps.js';

/** The project root: the nearest folder above this file holding the movierec package.json. */
export function packageRoot(from = __dirname): string | null {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'movierec') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function gitCommit(root: string): string | null {
  if (!existsSync(join(root, '.git'))) return null;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const sha = out.toString().trim();
    return /^[0-9a-f]{7,64}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}

interface BuildInfoFile {
  version?: unknown;
  commit?: unknown;
  buildDate?: unknown;
}

export function readBuildFacts(buildInfoPath: string, logger?: Logger): BuildFacts {
  const root = packageRoot();
  let version = 'unknown';
  if (root) {
    try {
      version = String((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version);
    } catch {
      // keep 'unknown'
    }
  }
  let file: BuildInfoFile | null = null;
  if (existsSync(buildInfoPath)) {
    try {
      file = JSON.parse(readFileSync(buildInfoPath, 'utf8')) as BuildInfoFile;
    } catch (err) {
      logger?.warn(`build info ${buildInfoPath} is not valid JSON (${(err as Error).message}); ignoring it`);
    }
  }
  const builtAt =
    typeof file?.buildDate === 'string' && Number.isFinite(Date.parse(file.buildDate)) ? file.buildDate : null;
  if (file && !builtAt) logger?.warn(`build info ${buildInfoPath} has no valid buildDate; ignoring it`);
  const fileCommit =
    typeof file?.commit === 'string' && file.commit.trim() && file.commit !== 'unknown' ? file.commit.trim() : null;
  const fileVersion = typeof file?.version === 'string' && file.version.trim() ? file.version.trim() : null;
  const commit = fileCommit ?? (root ? gitCommit(root) : null) ?? 'unknown';
  return { version: fileVersion ?? version, commit, imageBuiltAt: builtAt };
}
