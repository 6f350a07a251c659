// Model versions in `DATA_DIR/models/`: one folder per version (`models/<version>/`, written whole by the atomic save
// of native/core's model_io and never changed afterwards, but for the evaluation in its model.json and its charts), and
// the pointer `models/current.json` naming the version to serve.
//
// The pointer is a small JSON file written to a temporary file, fsynced, renamed over the old one, and the folder
// fsynced: a reader sees the old pointer or the new one, whole, and the rollback history (`previous`) moves in the same
// rename. A symlink renamed over would be as atomic, but it cannot carry the history, and not every volume driver or
// file share keeps symlinks. Readers resolve the pointer once to a version id and read that folder, so a load never
// mixes the files of two versions.
//
// Model folders are opaque here: a folder is a version when its name is a version id and it has a model.json; what is
// inside is model_io's business. MyRecModel loads (and so validates) a version before it moves the pointer to it.
//
// A `DATA_DIR/model/` folder from before versions is read as a version (id from its trainedAt, suffix `legacy`) while
// there is no pointer; the first command that moves the pointer (train, import, promote, rollback) first renames it to
// `models/<that id>/`, so it stays in the history and a service serving it sees the same id afterwards.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

import { InvalidInputError, InvalidModelError, StorageError, VersionNotFoundError } from './errors.js';

export const MODELS_DIR_NAME = 'models';
export const LEGACY_DIR_NAME = 'model';
export const POINTER_FILE = 'current.json';
const META_FILE = 'model.json';
/** `20261127T061400.123Z-3fa9c1`: creation time (UTC, to the millisecond), then 6 random hex digits (or `legacy`). */
export const VERSION_ID = /^\d{8}T\d{6}\.\d{3}Z-[0-9a-z]{6}$/;
const LEGACY_SUFFIX = 'legacy';
/** Versions remembered for rollback (older ones can still be promoted by id). */
const HISTORY_LIMIT = 20;
/** Temporaries (`*.tmp-*`) older than this are left by interrupted saves and removed by `prune`. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const LEASES_DIR = '.serving';
/** A service rewrites its lease this often; one not rewritten for three periods belongs to a process that is gone. */
export const LEASE_REFRESH_MS = 30_000;
const LEASE_TTL_MS = 3 * LEASE_REFRESH_MS;

const versionId = z.string().regex(VERSION_ID);
const pointerSchema = z.object({
  formatVersion: z.literal(1),
  version: versionId,
  previous: z.array(versionId),
  promotedAt: z.string(),
});
export type Pointer = z.output<typeof pointerSchema>;

/** A version to load: its id and folder, and where the id came from. */
export interface ModelRef {
  version: string;
  dir: string;
  /** `pointer`: models/current.json; `legacy`: DATA_DIR/model (no pointer yet); `newest`: no pointer, no legacy. */
  source: 'pointer' | 'legacy' | 'newest';
}

/** One version as listings show it (from its model.json, read loosely: the model format is model_io's). */
export interface VersionSummary {
  version: string;
  legacy: boolean;
  trainedAt?: string;
  datasetPath?: string;
  method?: string;
  counts?: { users: number; movies: number; factors: number; ratings: number };
  /** Why model.json could not be read (such a version cannot be promoted either). */
  problem?: string;
}

/** What a serving process says it serves (`models/.serving/<host>-<pid>.json`). */
export interface Lease {
  id: string;
  version: string;
  host: string;
  pid: number;
  since: string;
}

export function isVersionId(value: string): boolean {
  return VERSION_ID.test(value);
}

/** A new, unique version id that sorts by creation time. */
export function newVersionId(now: Date = new Date()): string {
  return `${compactTime(now)}-${randomBytes(3).toString('hex')}`;
}

/** The id a legacy `DATA_DIR/model` folder gets: its training time (or the file's when unreadable) + `legacy`. */
export function legacyVersionId(trainedAt: string | undefined, fallback: Date): string {
  const ms = trainedAt === undefined ? Number.NaN : Date.parse(trainedAt);
  return `${compactTime(Number.isFinite(ms) ? new Date(ms) : fallback)}-${LEGACY_SUFFIX}`;
}

function compactTime(t: Date): string {
  return t.toISOString().replace(/[-:]/g, '');
}

export class ModelStore {
  /** `DATA_DIR/models`. */
  readonly root: string;
  /** `DATA_DIR/model`, the folder of the versions before there were versions. */
  readonly legacyDir: string;
  readonly pointerFile: string;

  constructor(readonly dataDir: string) {
    this.root = join(dataDir, MODELS_DIR_NAME);
    this.legacyDir = join(dataDir, LEGACY_DIR_NAME);
    this.pointerFile = join(this.root, POINTER_FILE);
  }

  /** The folder of `version`; InvalidInputError (field `version`) when it is not a version id. */
  versionDir(version: string): string {
    if (typeof version !== 'string' || !isVersionId(version)) {
      throw new InvalidInputError(
        `version must be a version id like 20261127T061400.123Z-3fa9c1 (see movierec models list), got ${JSON.stringify(version)}`,
        { field: 'version' },
      );
    }
    return join(this.root, version);
  }

  /** Whether `version` is a version in `models/` (a folder with a model.json). */
  async has(version: string): Promise<boolean> {
    return exists(join(this.versionDir(version), META_FILE));
  }

  /** The pointer, or null when there is none; InvalidModelError when it is not one this code wrote. */
  async readPointer(): Promise<Pointer | null> {
    let text: string;
    try {
      text = await readFile(this.pointerFile, 'utf8');
    } catch (err) {
      if (errno(err) === 'ENOENT') return null;
      throw storageError(err, `cannot read ${this.pointerFile}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = pointerSchema.safeParse(json);
    if (!parsed.success) {
      throw new InvalidModelError(
        `${this.pointerFile} is damaged (not the pointer this program writes); promote a version to rewrite it: ` +
          'movierec models promote VERSION',
      );
    }
    return parsed.data;
  }

  /** The version to serve: the pointer's; else a legacy DATA_DIR/model; else the newest version; else null. */
  async current(): Promise<ModelRef | null> {
    const pointer = await this.readPointer();
    if (pointer) return { version: pointer.version, dir: join(this.root, pointer.version), source: 'pointer' };
    const legacy = await this.legacy();
    if (legacy) return { version: legacy.version, dir: this.legacyDir, source: 'legacy' };
    for (const version of await this.versionIds()) {
      if (await this.has(version)) return { version, dir: join(this.root, version), source: 'newest' };
    }
    return null;
  }

  /** Every version, newest first (the legacy folder too while there is no pointer). */
  async list(): Promise<VersionSummary[]> {
    const entries = await Promise.all(
      (await this.versionIds()).map((version) => summarise(version, join(this.root, version), false)),
    );
    const legacy = (await exists(this.pointerFile)) ? null : await this.legacy();
    if (legacy) entries.push(await summarise(legacy.version, legacy.folder, true));
    return entries.sort((a, b) => (a.version < b.version ? 1 : a.version > b.version ? -1 : 0));
  }

  /**
   * Moves the pointer to `version` (the caller has loaded it: it is whole) and puts the version it replaces first in
   * the rollback history. A legacy DATA_DIR/model is moved into the versions first.
   */
  async setCurrent(version: string): Promise<Pointer> {
    await this.migrateLegacy();
    const pointer = await this.readPointer().catch(() => null);
    const replaced = pointer?.version ?? (await this.current().catch(() => null))?.version;
    const history = pointer?.previous ?? [];
    return this.writePointer(version, replaced && replaced !== version ? [replaced, ...history] : history);
  }

  /** The version a rollback goes to: the newest one in the history that is still there (and the history after it). */
  async rollbackTarget(): Promise<{ version: string; previous: string[] }> {
    await this.migrateLegacy();
    const pointer = await this.readPointer();
    const history = pointer?.previous ?? [];
    for (let i = 0; i < history.length; i++) {
      if (await this.has(history[i])) return { version: history[i], previous: history.slice(i + 1) };
    }
    throw new VersionNotFoundError(
      `nothing to roll back to: ${pointer ? `no earlier version of ${pointer.version} is left` : 'no version is current'}` +
        ' (movierec models list shows what there is)',
    );
  }

  /** Moves the pointer back to a rollback target (the caller has loaded it). */
  async rollBackTo(target: { version: string; previous: string[] }): Promise<Pointer> {
    return this.writePointer(target.version, target.previous);
  }

  /**
   * Renames a legacy DATA_DIR/model (or the `model.prev` an interrupted save left) to `models/<its id>/` and points at
   * it, when there is no pointer yet. Returns the id, or null when there was nothing to move.
   */
  async migrateLegacy(): Promise<string | null> {
    if (await exists(this.pointerFile)) return null;
    const legacy = await this.legacy();
    if (!legacy) return null;
    await mkdirs(this.root);
    const target = join(this.root, legacy.version);
    if (await exists(target)) throw new StorageError(`cannot move ${legacy.folder} to ${target}: that folder exists`);
    try {
      await rename(legacy.folder, target);
    } catch (err) {
      throw storageError(err, `cannot move ${legacy.folder} to ${target}`);
    }
    await syncDir(this.dataDir);
    await syncDir(this.root);
    await this.writePointer(legacy.version, []);
    return legacy.version;
  }

  /**
   * Removes all but the newest `keep` versions, never the current one nor any in `protect` (those being served), and
   * temporaries left by interrupted saves. Does nothing while the pointer is missing or damaged. Returns what it removed.
   */
  async prune(keep: number, protect: Iterable<string>): Promise<string[]> {
    const pointer = await this.readPointer().catch(() => null);
    if (!pointer) return [];
    const ids = await this.versionIds();
    const kept = new Set([...ids.slice(0, keep), ...protect, pointer.version]);
    const removed: string[] = [];
    for (const version of ids) {
      if (kept.has(version)) continue;
      await rm(join(this.root, version), { recursive: true, force: true });
      removed.push(version);
    }
    const staleBefore = Date.now() - STALE_TEMP_MS;
    for (const name of await readdir(this.root)) {
      if (!name.includes('.tmp-')) continue;
      const info = await stat(join(this.root, name)).catch(() => null);
      if (info && info.mtimeMs < staleBefore) await rm(join(this.root, name), { recursive: true, force: true });
    }
    return removed;
  }

  // ---- leases: which version each running service serves ----

  /** This process's lease id: the host name (a container's id) and the process id. */
  static leaseId(): string {
    return `${hostname()}-${process.pid}`;
  }

  /** Records (or refreshes) that this process serves `version`. */
  async writeLease(id: string, version: string, since: string): Promise<void> {
    const dir = join(this.root, LEASES_DIR);
    await mkdirs(dir);
    const lease: Lease = { id, version, host: hostname(), pid: process.pid, since };
    const tmp = join(dir, `.${id}.tmp-${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, JSON.stringify(lease));
    await rename(tmp, join(dir, `${id}.json`));
  }

  async removeLease(id: string): Promise<void> {
    await rm(join(this.root, LEASES_DIR, `${id}.json`), { force: true });
  }

  /** The leases refreshed recently enough to belong to running services. */
  async liveLeases(): Promise<Lease[]> {
    const dir = join(this.root, LEASES_DIR);
    const names = await readdir(dir).catch(() => [] as string[]);
    const oldest = Date.now() - LEASE_TTL_MS;
    const leases = await Promise.all(
      names
        .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
        .map(async (n) => {
          const file = join(dir, n);
          const info = await stat(file).catch(() => null);
          if (!info || info.mtimeMs < oldest) return null;
          return (JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) as Lease | null) ?? null;
        }),
    );
    return leases.filter((l): l is Lease => l !== null && typeof l.version === 'string');
  }

  // ---- internals ----

  /** Version ids in models/, newest first. */
  private async versionIds(): Promise<string[]> {
    const names = await readdir(this.root).catch((err: unknown) => {
      if (errno(err) === 'ENOENT') return [] as string[];
      throw storageError(err, `cannot list ${this.root}`);
    });
    return names.filter(isVersionId).sort().reverse();
  }

  /** The legacy folder (or the `.prev` an interrupted legacy save left), when it holds a model. */
  private async legacy(): Promise<{ version: string; folder: string } | null> {
    for (const folder of [this.legacyDir, `${this.legacyDir}.prev`]) {
      const meta = join(folder, META_FILE);
      const info = await stat(meta).catch(() => null);
      if (!info) continue;
      const trainedAt = (await readJson(meta))?.trainedAt;
      return { version: legacyVersionId(typeof trainedAt === 'string' ? trainedAt : undefined, info.mtime), folder };
    }
    return null;
  }

  private async writePointer(version: string, previous: string[]): Promise<Pointer> {
    const pointer: Pointer = {
      formatVersion: 1,
      version,
      previous: [...new Set(previous)].filter((v) => v !== version).slice(0, HISTORY_LIMIT),
      promotedAt: new Date().toISOString(),
    };
    await mkdirs(this.root);
    const tmp = join(this.root, `.${POINTER_FILE}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      const file = await open(tmp, 'w');
      try {
        await file.writeFile(`${JSON.stringify(pointer, null, 2)}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.pointerFile);
    } catch (err) {
      await rm(tmp, { force: true });
      throw storageError(err, `cannot write ${this.pointerFile}`);
    }
    await syncDir(this.root);
    return pointer;
  }
}

async function summarise(version: string, dir: string, legacy: boolean): Promise<VersionSummary> {
  const meta = await readJson(join(dir, META_FILE));
  if (!meta) return { version, legacy, problem: `${META_FILE} is missing or not JSON` };
  const dataset = meta.dataset as { path?: unknown } | undefined;
  const params = meta.params as { method?: unknown; feedback?: unknown } | undefined;
  const counts = meta.counts as VersionSummary['counts'];
  const method = params?.feedback === 'implicit' ? 'als, implicit' : params?.method;
  return {
    version,
    legacy,
    ...(typeof meta.trainedAt === 'string' ? { trainedAt: meta.trainedAt } : {}),
    ...(typeof dataset?.path === 'string' ? { datasetPath: dataset.path } : {}),
    ...(typeof method === 'string' ? { method } : {}),
    ...(counts && typeof counts === 'object' ? { counts } : {}),
  };
}

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    const json: unknown = JSON.parse(await readFile(file, 'utf8'));
    return json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

async function mkdirs(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw storageError(err, `cannot create ${dir}`);
  }
}

/** fsync of a folder, so a rename in it survives a crash (Linux and macOS; elsewhere a no-op). */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF'].includes(errno(err) ?? '')) throw storageError(err, `cannot sync ${dir}`);
  } finally {
    await handle?.close();
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function storageError(err: unknown, what: string): StorageError {
  return new StorageError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
