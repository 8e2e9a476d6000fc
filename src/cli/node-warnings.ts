/**
 * Node's own warnings that strom answers better itself. Node prints "To load an ES module, set
 * "type": "module" ..." before strom's one-line error for a job module with import/export that
 * Node loads as CommonJS (src/client/job-module.ts says what to change); the CLI owns its
 * process, so it drops that warning and forwards every other one to Node's printer.
 */
const ANSWERED_BY_STROM = [/^To load an ES module, set "type": "module"/];

/** Installs the filter in front of Node's warning printer (the CLI's process only). */
export function muteWarningsStromExplains(): void {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (ANSWERED_BY_STROM.some((pattern) => pattern.test(warning.message))) return;
    for (const print of printers) print.call(process, warning);
  });
}
