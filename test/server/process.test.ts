// The service as a process (src/server/main.ts under tsx): configuration errors exit 2 with a clear message;
// SIGHUP reloads (a corrupt model is refused and the old one keeps serving); SIGTERM lets an in-flight request
// finish, refuses new connections, flushes the log and exits 0. The same with WORKERS=1 (one process) and WORKERS=2
// (a cluster primary turning the signals into orders to its workers).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { shutdownLogger } from '../../src/logger.js';
import { currentModelDir } from '../helpers/models.js';
import { freePort, startService, waitReady } from '../helpers/service.js';
import { TEN_RATINGS, copyDataDir, trainedModel, waitForLogLine, type TrainedModel } from './helpers.js';

let trained: TrainedModel;

before(async () => {
  trained = await trainedModel();
});

after(async () => {
  await shutdownLogger();
});

async function trainedAt(url: string): Promise<string> {
  const info = (await (await fetch(`${url}/api/info`)).json()) as { model: { trainedAt: string } };
  return info.model.trainedAt;
}

describe('configuration', () => {
  test('an invalid variable stops the start with exit code 2 and a message naming it', async () => {
    const svc = startService({ PORT: 'eighty', DATA_DIR: trained.dataDir });
    const { code } = await svc.exit;
    assert.equal(code, 2);
    assert.match(svc.stderr(), /invalid environment: PORT: /);
  });

  test('BOOTSTRAP must be demo or none', async () => {
    const svc = startService({ BOOTSTRAP: 'maybe', DATA_DIR: trained.dataDir, PORT: String(await freePort()) });
    assert.equal((await svc.exit).code, 2);
    assert.match(svc.stderr(), /BOOTSTRAP: /);
  });
});

for (const workers of ['1', '2']) {
  describe(`signals, WORKERS=${workers}`, () => {
  test('SIGHUP reloads; SIGTERM lets the in-flight request finish and exits 0', async () => {
    const dataDir = copyDataDir(trained.dataDir);
    const port = await freePort();
    const svc = startService({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP: 'none', SHUTDOWN_GRACE_MS: '10000', WORKERS: workers });
    try {
      await waitReady(svc.url);
      const logFile = join(dataDir, 'log_file.log');
      const first = await trainedAt(svc.url);

      // SIGHUP with a corrupt model: refused, the old one keeps serving.
      const modelDir = currentModelDir(dataDir);
      const saved = readdirSync(modelDir).map((f) => [f, readFileSync(join(modelDir, f))] as const);
      for (const [f] of saved) if (statSync(join(modelDir, f)).isFile()) writeFileSync(join(modelDir, f), 'garbage');
      svc.child.kill('SIGHUP');
      await waitForLogLine(logFile, /model reload refused/, 10_000);
      assert.equal((await fetch(`${svc.url}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(TEN_RATINGS) })).status, 200);
      assert.equal(await trainedAt(svc.url), first);

      // SIGHUP with a good model: swapped in (the files are back; trainedAt is the same, so check the log).
      for (const [f, content] of saved) writeFileSync(join(modelDir, f), content);
      svc.child.kill('SIGHUP');
      await waitForLogLine(logFile, /INFO service .*model reloaded in \d+ ms/, 10_000);

      // A slow request: headers and half the body now, the rest after SIGTERM.
      const body = JSON.stringify(TEN_RATINGS);
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((ok) => socket.once('connect', () => ok()));
      let response = '';
      socket.on('data', (c: Buffer) => (response += c.toString()));
      const closed = new Promise<void>((ok) => socket.once('close', () => ok()));
      socket.write(
        `POST /predict?M=5 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
      );
      await new Promise((r) => setTimeout(r, 200));
      svc.child.kill('SIGTERM');
      await waitForLogLine(logFile, /SIGTERM: no longer accepting connections; 1 request\(s\) in flight/, 10_000);

      // New connections are refused while the old request is still open. With workers, the primary holds the listening
      // socket and closes it once every worker has stopped listening (an IPC round trip each): allow it a moment.
      const probeRefused = () =>
        new Promise<boolean>((ok) => {
          const probe = connect(port, '127.0.0.1');
          probe.once('connect', () => {
            probe.destroy();
            ok(false);
          });
          probe.once('error', () => ok(true));
        });
      let refused = await probeRefused();
      for (const deadline = Date.now() + 2000; !refused && Date.now() < deadline; refused = await probeRefused()) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(refused, true, 'a new connection is refused within 2 s of SIGTERM');

      socket.write(body.slice(10));
      await closed;
      assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
      const json = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as [string[], number[]];
      assert.equal(json[0].length, 5);

      const { code, signal } = await svc.exit;
      assert.equal(signal, null);
      assert.equal(code, 0);
      const log = readFileSync(logFile, 'utf8');
      assert.match(log, /POST \/predict 200 .*\n(.*\n)*.*INFO service .*stopped/, 'the request finished before the exit');
      assert.match(log, /INFO service .*stopped\s*$/, 'the last line was flushed');
    } finally {
      if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
    }
  });

  test('SIGINT with no request in flight exits 0 at once', async () => {
    const port = await freePort();
    const svc = startService({ DATA_DIR: copyDataDir(trained.dataDir), PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP: 'none', WORKERS: workers });
    try {
      await waitReady(svc.url);
      const started = Date.now();
      svc.child.kill('SIGINT');
      assert.equal((await svc.exit).code, 0);
      assert.ok(Date.now() - started < 3000);
    } finally {
      if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
    }
  });
});
}
