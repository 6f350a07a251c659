#!/usr/bin/env node
// A steady load for the container test: POST /predict at a fixed rate until the duration is over (or SIGTERM), then
// one JSON line on stdout: {"sent": N, "answered": {status: count}, "failed": {reason: count}}. Requests are sent on
// schedule whether or not earlier ones have been answered (an open-loop load: a stall shows as failures, not as a
// slower rate).
//   node scripts/steady-load.mjs URL [RATE=200] [SECONDS=10] [BODY='[[1,2,3],[5,4,3]]']
const [url, rateArg = '200', secondsArg = '10', body = '[[1,2,3],[5,4,3]]'] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: steady-load.mjs URL [RATE] [SECONDS] [BODY]\n');
  process.exit(2);
}
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const answered = {};
const failed = {};
const bump = (o, k) => (o[k] = (o[k] ?? 0) + 1);
const pending = new Set();
let sent = 0;
const started = performance.now();
let stopped = false;

function send() {
  sent++;
  const p = fetch(`${url}/predict?M=5`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(15_000),
  })
    .then(async (r) => {
      await r.arrayBuffer();
      if (r.ok) bump(answered, r.status);
      else bump(failed, `HTTP ${r.status}`);
    })
    .catch((err) => bump(failed, err.cause?.code ?? err.name ?? 'error'))
    .finally(() => pending.delete(p));
  pending.add(p);
}

// Ticks of 10 ms; each sends what the schedule says is due by now.
const timer = setInterval(() => {
  const elapsed = (performance.now() - started) / 1000;
  const due = Math.min(Math.floor(elapsed * rate), Math.floor(seconds * rate));
  while (!stopped && sent < due) send();
  if (elapsed >= seconds) stop();
}, 10);

async function stop() {
  if (stopped) return;
  stopped = true;
  clearInterval(timer);
  await Promise.all(pending);
  process.stdout.write(`${JSON.stringify({ sent, answered, failed })}\n`);
}
process.on('SIGTERM', () => void stop());
