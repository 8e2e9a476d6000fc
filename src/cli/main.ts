#!/usr/bin/env node
/**
 * The `strom` command. The DataStream runtime and its commands (`run`, `wordcount`, `explain`,
 * `config`) arrive with the runtime; until then the CLI prints help and the version.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { version } = require('../../../package.json') as { version: string };

const HELP = `strom ${version}: a fast local stream-processing engine for Node.js

Usage: strom <command> [options]

Commands:
  help        print this help
  version     print the version

Planned: run <job-module>, wordcount [input], explain <job-module>, config.
`;

export function main(argv: string[]): number {
  const command = argv[0] ?? 'help';
  switch (command) {
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`${version}\n`);
      return 0;
    default:
      process.stderr.write(`strom: unknown command '${command}'. Run 'strom help' for the list of commands.\n`);
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
