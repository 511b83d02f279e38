import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignStore } from './campaign-store';

const FIXTURE = join(__dirname, 'store-hammer.fixture.ts');
const CALLS = 1500;

interface HammerResult {
  ok: boolean;
  calls?: number;
  error?: string;
}

/** One campaign's store traffic in its own process; resolves with what it printed once `go` exists. */
function hammer(store: string, key: string, goFile: string, onReady: () => void): Promise<HammerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', FIXTURE, store, key, String(CALLS), goFile], {
      cwd: join(__dirname, '..', '..', '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) onReady();
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as HammerResult);
      } catch {
        reject(new Error(`the hammer process printed no result:\n${out}\n${err}`));
      }
    });
  });
}

describe('CampaignStore shared by two campaigns at once', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'campaign-store-shared-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given two processes writing one store file as fast as they can, neither ever fails with "database is locked"', async () => {
    const store = join(dir, 'codcall-campaigns.sqlite');
    const go = join(dir, 'go');
    let ready = 0;
    const start = () => {
      if (++ready === 2) writeFileSync(go, '');
    };
    const results = await Promise.all([hammer(store, 'first.csv#a', go, start), hammer(store, 'second.csv#b', go, start)]);

    expect(results).toEqual([
      { ok: true, calls: CALLS },
      { ok: true, calls: CALLS },
    ]);
    // Both campaigns' rows and attempts are all there, each in its own campaign.
    for (const key of ['first.csv#a', 'second.csv#b']) {
      const reader = CampaignStore.openForReading(store, { key })!;
      expect(reader.attempts().filter((attempt) => attempt.state === 'finished')).toHaveLength(CALLS);
      expect(reader.callRecords()).toHaveLength(CALLS);
      reader.close();
    }
  }, 120_000);
});
