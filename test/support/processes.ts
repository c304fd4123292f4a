import { readdirSync, readFileSync } from 'node:fs';

/** Whether a process runs; a zombie waiting for its reaper has already stopped. */
export function alive(pid: number | string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** How many live processes run exactly this argv (found through /proc, so PID namespaces do not hide them). */
export function processesRunning(argv: string[]): number {
  const wanted = `${argv.join('\0')}\0`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === wanted && alive(pid);
      } catch {
        return false;
      }
    }).length;
}

/** Live processes (other than this one) whose command line contains `marker`. */
export function livePidsMatching(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(marker) && alive(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Kills what is still running with `marker` in its command line; one that ends meanwhile is fine. */
export function killPidsMatching(marker: string): void {
  for (const pid of livePidsMatching(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/** A sleep duration no other process uses, so a test can find its own sleepers. */
export const uniqueSleep = () => `${(30 + Math.random()).toFixed(6)}`;

/** A process's peak resident memory in KiB (the kernel's high-water mark), or null once it is gone. */
export function peakRssKb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
