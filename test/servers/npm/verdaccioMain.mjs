// Runs one Verdaccio in its own Node process for verdaccioServer.ts. Its own process because
// Verdaccio's dependencies use require() of ES modules (get-intrinsic → async-function's
// "module-sync" export), which Playwright's module loader cannot link in a test worker.
// Usage: node verdaccioMain.mjs CONFIG_JSON_PATH. Prints {"port":N} once listening; exits when
// its standard input closes, so a test runner that dies takes it down too.
import { readFileSync } from 'node:fs';
import { runServer } from 'verdaccio';

const configuration = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
const server = await runServer(configuration);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
const stop = () => {
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
