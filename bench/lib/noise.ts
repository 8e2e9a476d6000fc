/**
 * How much CPU other processes took while a benchmark ran: the machine's busy time
 * (/proc/stat) minus this process's own CPU time (all its threads, and its finished child
 * processes), per second of wall time.
 * On a shared 2-core machine a value near 1 means one of the two threads of a scenario had to
 * share its core, which halves spinning baselines; the table flags such entries.
 * Linux only; elsewhere the probe reports null.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc/stat counters on every mainstream Linux. */
const TICKS_PER_SECOND = 100;

interface Sample {
  wallNs: bigint;
  machineBusyTicks: number | null;
  ownCpuUs: number;
}

function machineBusyTicks(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait
    return f.reduce((a, b) => a + b, 0) - (f[3] ?? 0) - (f[4] ?? 0);
  } catch {
    return null;
  }
}

/**
 * CPU time of this process's terminated, waited-for children (cutime + cstime of
 * /proc/self/stat), in microseconds: benchmarks that run in child processes are own load too.
 */
function childrenCpuUs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the parenthesized command name: state is field 3, cutime 16, cstime 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[13]) || 0) + (Number(f[14]) || 0)) * (1e6 / TICKS_PER_SECOND);
  } catch {
    return 0;
  }
}

function sample(): Sample {
  const u = process.cpuUsage();
  return { wallNs: process.hrtime.bigint(), machineBusyTicks: machineBusyTicks(), ownCpuUs: u.user + u.system + childrenCpuUs() };
}

/** Starts a probe; `stop()` returns the foreign load in cores (e.g. 0.6), or null if unknown. */
export function startNoiseProbe(): { stop(): number | null } {
  const a = sample();
  return {
    stop() {
      const b = sample();
      if (a.machineBusyTicks === null || b.machineBusyTicks === null) return null;
      const wallS = Number(b.wallNs - a.wallNs) / 1e9;
      if (wallS <= 0) return null;
      const machineS = (b.machineBusyTicks - a.machineBusyTicks) / TICKS_PER_SECOND;
      const ownS = (b.ownCpuUs - a.ownCpuUs) / 1e6;
      return Math.max(0, Math.round(((machineS - ownS) / wallS) * 100) / 100);
    },
  };
}
