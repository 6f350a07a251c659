#!/usr/bin/env node
// Writes the build-info JSON that GET /api/info shows (read from BUILD_INFO_PATH), at image build time:
//   VERSION=0.1.0 GIT_SHA=<sha> BUILD_DATE=2026-01-01T00:00:00Z node scripts/write-build-info.cjs --out build-info.json
// Empty values fall back: VERSION to package.json's version, GIT_SHA to `git rev-parse HEAD` (or "unknown" where
// there is no git, as inside a Docker build), BUILD_DATE to now. A BUILD_DATE that is not a date is an error.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function fail(message) {
  process.stderr.write(`write-build-info: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { out: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out' && i + 1 < argv.length) args.out = argv[++i];
    else if (arg.startsWith('--out=')) args.out = arg.slice('--out='.length);
    else fail(`unknown argument ${JSON.stringify(arg)} (usage: write-build-info.cjs --out FILE)`);
  }
  if (!args.out) fail('--out FILE is required');
  return args;
}

function packageVersion() {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  return String(pkg.version);
}

function gitSha() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

function buildDate(raw) {
  if (!raw) return new Date().toISOString();
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) fail(`BUILD_DATE ${JSON.stringify(raw)} is not a date-time (want ISO 8601, e.g. 2026-01-31T12:00:00Z)`);
  return new Date(ms).toISOString();
}

const { out } = parseArgs(process.argv.slice(2));
const env = process.env;
const info = {
  version: (env.VERSION || '').trim() || packageVersion(),
  commit: (env.GIT_SHA || '').trim() || gitSha(),
  buildDate: buildDate((env.BUILD_DATE || '').trim()),
};
if (!/^[0-9A-Za-z._+-]{1,64}$/.test(info.version)) fail(`VERSION ${JSON.stringify(info.version)} is not a version`);
if (!/^([0-9a-f]{7,40}|unknown)$/.test(info.commit)) fail(`GIT_SHA ${JSON.stringify(info.commit)} is not a git sha`);

// Written whole then renamed, so a reader never sees half a file.
const tmp = `${out}.tmp-${process.pid}`;
fs.writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`);
fs.renameSync(tmp, out);
