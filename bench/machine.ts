/**
 * The machine a benchmark ran on, as its first output line (bench/README.md records figures with
 * it): `nproc` (the CPUs this process may use; os.cpus() where nproc is missing), the CPU model and
 * the Node version.
 */
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';

export function machineLine(): string {
  let nproc = String(cpus().length);
  try {
    nproc = execSync('nproc').toString().trim();
  } catch {
    // keep os.cpus()
  }
  return `machine: nproc=${nproc}, cpu=${cpus()[0]?.model ?? 'unknown'}, node=${process.version}`;
}
