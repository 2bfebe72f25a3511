#!/usr/bin/env node
/**
 * CLI entry: arguments → Config → buildServer → listen, and a clean close on SIGTERM/SIGINT.
 * Owns: process concerns (exit codes, signals, the ready line). Must not: hold logic.
 */
import { parseCommand, UsageError, USAGE } from './cli/args.js';
import { listen } from './cli/listen.js';
import { buildServer } from './server.js';
import { KUBEMU_VERSION } from './version.js';

async function main(): Promise<void> {
  let command;
  try {
    command = parseCommand(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`kubemu: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (command.command === 'help') return void process.stdout.write(USAGE);
  if (command.command === 'version') return void process.stdout.write(`kubemu ${KUBEMU_VERSION}\n`);

  const { config } = command;
  const server = await buildServer(config);
  let listening;
  try {
    listening = await listen(server, config);
  } catch (err) {
    await server.close();
    throw err;
  }
  if (!config.tls && !isLoopback(config.host))
    process.stderr.write(`kubemu: warning: --no-tls on ${config.host}: anyone who can reach this address is cluster admin\n`);
  process.stdout.write(`kubemu ready: ${listening.url} kubeconfig=${listening.kubeconfigPath}\n`);

  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`kubemu: error while stopping on ${signal}: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

main().catch((err: unknown) => {
  process.stderr.write(`kubemu: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
