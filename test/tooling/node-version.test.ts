// The Node.js version is written once, in .nvmrc; everything else that names a Node version is checked against it
// here: package.json engines and @types/node, the Dockerfile's node stages, the GitHub workflow's setup-node steps.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import semver from 'semver';
import { REPO_ROOT } from '../helpers/paths.js';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const nvmrc = read('.nvmrc').trim();
const major = semver.major(nvmrc);
const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };

test('.nvmrc pins one exact release of an even (LTS) line', () => {
  assert.equal(semver.valid(nvmrc), nvmrc, `.nvmrc holds '${nvmrc}'`);
  assert.equal(major % 2, 0, 'odd Node majors never become LTS');
});

test('package.json: engines admits the .nvmrc release; @types/node is of its line', () => {
  assert.ok(semver.satisfies(nvmrc, pkg.engines.node), `engines ${pkg.engines.node} excludes ${nvmrc}`);
  assert.equal(semver.major(pkg.devDependencies['@types/node']), major);
});

test('Dockerfile: every node stage comes from the .nvmrc major', () => {
  const dockerfile = read('Dockerfile');
  assert.equal(/^ARG NODE_MAJOR=(\d+)$/m.exec(dockerfile)?.[1], String(major));
  const nodeImages = [...dockerfile.matchAll(/(?:FROM|--from=)\s*node:(\S+)/g)].map((m) => m[1]);
  assert.deepEqual(nodeImages, ['${NODE_MAJOR}-bookworm-slim'], 'one node image, named by NODE_MAJOR');
});

test('GitHub workflow: setup-node reads .nvmrc; any other version is an older line engines admits', () => {
  const workflow = read('.github/workflows/ci.yml');
  const files = [...workflow.matchAll(/node-version-file: ([^$\s]\S*)/g)].map((m) => m[1]);
  assert.ok(files.length >= 2, 'test and audit jobs');
  assert.deepEqual([...new Set(files)], ['.nvmrc']);
  const versions = [...workflow.matchAll(/node-version: '?(\d+)'?$/gm)].map((m) => Number(m[1]));
  for (const v of versions) {
    assert.ok(v < major, `node-version ${v} duplicates what .nvmrc says`);
    assert.ok(semver.intersects(`${v}.x`, pkg.engines.node), `node-version ${v} is outside engines ${pkg.engines.node}`);
  }
});
