// Fetches an official MovieLens archive, verifies it, unpacks it under DATA_DIR/datasets/<name>.
//
// Verification: the md5 GroupLens publishes beside each archive (`<name>.zip.md5`), when the server has it, and
// the sha256 of the unpacked files whose digest we know (the copies in shared/movielens). The archive is written
// to a temporary file and unpacked into a temporary folder; only a verified, complete folder is renamed into
// place, so an interrupted download never leaves a half data set where the readers would find it.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

import { InvalidInputError, MovieRecError } from '../model/errors.js';

/** Published archives `download` knows, with the digests of unpacked files we could check. */
export const MOVIELENS_ARCHIVES: Record<string, { knownSha256: Record<string, string> }> = {
  'ml-latest-small': {
    knownSha256: {
      'ratings.csv': 'aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646',
      'movies.csv': '5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07',
    },
  },
  'ml-100k': { knownSha256: {} },
  'ml-1m': {
    knownSha256: {
      'movies.dat': '0140fc2356357c1a851d0f52e893a1e4d3696df632c4141cea8d5bc3d621f0b9',
      'users.dat': '1dc3a95300cb19f7c10e027daf29b8cdf1d908dab65b5edfb45950aa389a10a3',
    },
  },
  'ml-10m': { knownSha256: {} },
  'ml-25m': { knownSha256: {} },
  'ml-32m': { knownSha256: {} },
};

export const DATASET_NAMES = Object.keys(MOVIELENS_ARCHIVES);

/** The network or the archive failed: HTTP error, checksum mismatch, corrupt zip. */
export class DownloadError extends MovieRecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DOWNLOAD_ERROR', message, options);
  }
}

export interface DownloadOptions {
  /** Folder URL ending with `/` (config MOVIELENS_BASE_URL). */
  baseUrl: string;
  /** `${DATA_DIR}/datasets` */
  datasetsDir: string;
  /** Replace a data set that is already there. */
  force?: boolean;
  onProgress?: (received: number, total: number | undefined) => void;
  /** Called once the archive is on disk, before unpacking (for a progress message). */
  onPhase?: (phase: 'download' | 'verify' | 'unpack') => void;
}

export interface DownloadResult {
  name: string;
  path: string;
  alreadyPresent: boolean;
  url?: string;
  bytes?: number;
  md5?: string;
  sha256?: string;
  /** true: matched the published md5; false: the server had no md5 file. */
  md5Verified?: boolean;
  /** Unpacked files whose sha256 matched a digest we know. */
  verifiedFiles?: string[];
  files?: string[];
}

export async function downloadDataset(name: string, opts: DownloadOptions): Promise<DownloadResult> {
  const known = MOVIELENS_ARCHIVES[name];
  if (!known) {
    throw new InvalidInputError(`unknown data set "${name}"; choose one of ${DATASET_NAMES.join(', ')}`);
  }
  const target = path.join(opts.datasetsDir, name);
  if (!opts.force && (await exists(target))) {
    return { name, path: target, alreadyPresent: true };
  }
  await fs.mkdir(opts.datasetsDir, { recursive: true });
  const tag = `${name}-${process.pid}-${Date.now()}`;
  const zipPath = path.join(opts.datasetsDir, `.download-${tag}.zip`);
  const unpackDir = path.join(opts.datasetsDir, `.unpack-${tag}`);
  const url = new URL(`${name}.zip`, opts.baseUrl).toString();
  try {
    opts.onPhase?.('download');
    const { bytes, md5, sha256 } = await fetchToFile(url, zipPath, opts.onProgress);
    opts.onPhase?.('verify');
    const published = await fetchPublishedMd5(`${url}.md5`);
    if (published !== undefined && published !== md5) {
      throw new DownloadError(`checksum mismatch for ${url}: md5 ${md5}, published ${published}`);
    }
    opts.onPhase?.('unpack');
    await unzipTo(zipPath, unpackDir);
    const root = await archiveRoot(unpackDir);
    const files = (await fs.readdir(root)).sort();
    const verifiedFiles: string[] = [];
    for (const [file, expected] of Object.entries(known.knownSha256)) {
      if (!files.includes(file)) continue;
      const actual = await sha256File(path.join(root, file));
      if (actual !== expected) {
        throw new DownloadError(`checksum mismatch for ${name}/${file}: sha256 ${actual}, expected ${expected}`);
      }
      verifiedFiles.push(file);
    }
    if (opts.force) await fs.rm(target, { recursive: true, force: true });
    await fs.rename(root, target);
    return {
      name,
      path: target,
      alreadyPresent: false,
      url,
      bytes,
      md5,
      sha256,
      md5Verified: published !== undefined,
      verifiedFiles,
      files,
    };
  } finally {
    await fs.rm(zipPath, { force: true });
    await fs.rm(unpackDir, { recursive: true, force: true });
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

async function httpGet(url: string): Promise<Response> {
  try {
    return await fetch(url, { redirect: 'follow' });
  } catch (err) {
    const reason = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new DownloadError(`cannot fetch ${url}: ${reason}`, { cause: err });
  }
}

/** Streams the body to `file`, hashing as it goes. */
async function fetchToFile(
  url: string,
  file: string,
  onProgress?: (received: number, total: number | undefined) => void,
): Promise<{ bytes: number; md5: string; sha256: string }> {
  const res = await httpGet(url);
  if (!res.ok || !res.body) {
    throw new DownloadError(`cannot fetch ${url}: HTTP ${res.status} ${res.statusText}`);
  }
  const lengthHeader = Number(res.headers.get('content-length'));
  const total = Number.isFinite(lengthHeader) && lengthHeader > 0 ? lengthHeader : undefined;
  const md5 = createHash('md5');
  const sha = createHash('sha256');
  let received = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      md5.update(chunk);
      sha.update(chunk);
      received += chunk.length;
      onProgress?.(received, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), tap, createWriteStream(file));
  } catch (err) {
    throw new DownloadError(`download of ${url} failed after ${received} bytes: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (total !== undefined && received !== total) {
    throw new DownloadError(`download of ${url} is incomplete: ${received} of ${total} bytes`);
  }
  return { bytes: received, md5: md5.digest('hex'), sha256: sha.digest('hex') };
}

/** The md5 in `<archive>.md5` (format `MD5 (file) = hex` or `hex  file`), or undefined when there is none. */
async function fetchPublishedMd5(url: string): Promise<string | undefined> {
  const res = await httpGet(url);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new DownloadError(`cannot fetch ${url}: HTTP ${res.status} ${res.statusText}`);
  const text = await res.text();
  const match = /\b([0-9a-f]{32})\b/i.exec(text);
  if (!match) throw new DownloadError(`${url} holds no md5 digest`);
  return match[1].toLowerCase();
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Unpacks every entry under `dir`, refusing names that would land outside it. */
async function unzipTo(zipPath: string, dir: string): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, strictFileNames: true });
  } catch (err) {
    throw new DownloadError(`not a zip archive: ${(err as Error).message}`, { cause: err });
  }
  await fs.mkdir(dir, { recursive: true });
  const root = path.resolve(dir);
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      zip.close();
      reject(err instanceof MovieRecError ? err : new DownloadError(`corrupt archive: ${(err as Error).message}`));
    };
    zip.on('error', fail);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      const dest = path.resolve(root, entry.fileName);
      if (dest !== root && !dest.startsWith(root + path.sep)) {
        fail(new DownloadError(`archive entry "${entry.fileName}" points outside the data set folder`));
        return;
      }
      if (entry.fileName.endsWith('/')) {
        fs.mkdir(dest, { recursive: true }).then(() => zip.readEntry(), fail);
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) return fail(err);
        fs.mkdir(path.dirname(dest), { recursive: true })
          .then(() => pipeline(stream, createWriteStream(dest)))
          .then(() => zip.readEntry(), fail);
      });
    });
    zip.readEntry();
  });
}

/**
 * The folder holding the data files: archives wrap them in one top folder (`ml-1m/`, `ml-10M100K/`), which is
 * what gets renamed to `datasets/<name>`; an archive of bare files is used as it is.
 */
async function archiveRoot(unpackDir: string): Promise<string> {
  const entries = (await fs.readdir(unpackDir, { withFileTypes: true })).filter((e) => !e.name.startsWith('__MACOSX'));
  if (entries.length === 0) throw new DownloadError('the archive is empty');
  if (entries.length === 1 && entries[0].isDirectory()) return path.join(unpackDir, entries[0].name);
  return unpackDir;
}
