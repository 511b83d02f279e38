import { runCli } from './app/cli';
import { processDeps } from './app/cli-deps';

void runCli(process.argv.slice(2), processDeps()).then((code) => {
  process.exitCode = code;
  // Idle keep-alive sockets or a pending log flush must not hold a finished CLI open.
  setTimeout(() => process.exit(code), 2000).unref();
});
