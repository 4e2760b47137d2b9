// What the kernel says about a process (Linux /proc; elsewhere null): its
// peak resident memory — VmHWM, the high-water mark of RSS over its life, so
// no short peak is missed between samples — and the CPU time it has used,
// which, unlike wall time, barely moves when other work shares the machine.
import { readFileSync } from "node:fs";

/** Kernel clock ticks per second (USER_HZ): 100 on every Linux Node supports. */
const TICKS_PER_SECOND = 100;

/** VmHWM of process `pid` ("self" for this one) in MB, one decimal; null when it cannot be read. */
export function peakRssMB(pid: number | "self"): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** User + system CPU seconds process `pid` has used so far (10 ms resolution); null when it cannot be read. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
