import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { CampaignStoreError } from './campaign-store-error';

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

/**
 * One campaign per CSV: a lock file (`<csv>.lock`) created exclusively, holding the owner's pid.
 * A lock whose pid is no longer alive on this host (a kill -9) is taken over; a live one is refused
 * with CampaignStoreError('LOCKED') naming the pid.
 */
export class CampaignLock {
  private released = false;

  private constructor(readonly path: string) {}

  static acquire(path: string, options: { pid?: number; isAlive?: (pid: number) => boolean } = {}): CampaignLock {
    const pid = options.pid ?? process.pid;
    const isAlive = options.isAlive ?? processIsAlive;
    const owner: LockOwner = { pid, host: hostname(), startedAt: new Date().toISOString() };
    for (let tries = 0; tries < 3; tries++) {
      if (createExclusively(path, owner)) return new CampaignLock(path);
      const holder = readOwner(path);
      if (holder === 'gone') continue; // released between our two steps: try again
      if (holder && (holder.host !== owner.host || isAlive(holder.pid))) {
        throw new CampaignStoreError(
          'LOCKED',
          `${path}: another campaign (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}) is running on this CSV; wait for it or stop it first`,
        );
      }
      takeOverStale(path, pid, isAlive);
    }
    throw new CampaignStoreError('LOCK_FAILED', `${path}: could not take the campaign lock (it keeps changing hands)`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      const holder = readOwner(this.path);
      if (holder && holder !== 'gone' && holder.pid === process.pid) unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function createExclusively(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new CampaignStoreError('LOCK_FAILED', `${path}: cannot create the campaign lock (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** undefined: unreadable or half-written (treated as stale); 'gone': no lock file any more. */
function readOwner(path: string): LockOwner | 'gone' | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return undefined;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isInteger(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Moves the stale lock aside (rename is atomic, so of two CLIs taking over only one gets it) and
 * puts it back if, in between, a live CLI had already replaced it with its own.
 */
function takeOverStale(path: string, pid: number, isAlive: (pid: number) => boolean): void {
  const aside = `${path}.${pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = readOwner(aside);
  if (moved && moved !== 'gone' && moved.pid !== pid && isAlive(moved.pid)) {
    try {
      linkSync(aside, path);
    } catch {
      // a third CLI took the free slot; it will hold the lock
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // nothing to clean
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
