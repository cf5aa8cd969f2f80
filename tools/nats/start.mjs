#!/usr/bin/env node
// Start a nats-server (or a three-server cluster) on loopback for demos and manual runs, print
// where it listens as one JSON line, and stop it on SIGINT/SIGTERM. Uses the test harness, so the
// servers get the same caps, temp dirs and cleanup as in tests. Build it first:
//   npx tsc -b test-harness && node tools/nats/start.mjs [--js] [--cluster]
const usage = 'usage: node tools/nats/start.mjs [--js] [--cluster]';
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--js' && a !== '--cluster');
if (args.includes('--help') || args.includes('-h')) {
  console.log(usage);
  process.exit(0);
}
if (unknown.length > 0) {
  console.error(`unknown argument(s): ${unknown.join(' ')}\n${usage}`);
  process.exit(2);
}
const jetstream = args.includes('--js');
const cluster = args.includes('--cluster');

let harness;
try {
  harness = await import('../../test-harness/dist/src/index.js');
} catch (err) {
  console.error(`cannot load the test harness (${err.message}); build it: npx tsc -b test-harness`);
  process.exit(1);
}

let stop;
try {
  if (cluster) {
    const started = await harness.startNatsCluster({ jetstream });
    stop = () => started.stop();
    const monitors = started.servers.map((s) => `http://127.0.0.1:${s.monitorPort}`);
    console.log(JSON.stringify({ urls: started.urls, monitors, jetstream }));
  } else {
    const started = await harness.startNatsServer({ jetstream });
    stop = () => started.stop();
    const monitors = [`http://127.0.0.1:${started.monitorPort}`];
    console.log(JSON.stringify({ urls: [started.url], monitors, jetstream }));
  }
} catch (err) {
  console.error(err.message);
  process.exit(1);
}

// The harness does not hold the event loop open for its servers (a forgotten server must not
// hang a test run), so this script does, until a signal asks it to stop.
const keepAlive = setInterval(() => {}, 1 << 30);
let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  try {
    await stop();
    console.error(`stopped on ${signal}`);
  } catch (err) {
    console.error(`stop failed: ${err.message}`);
    process.exitCode = 1;
  } finally {
    clearInterval(keepAlive);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
