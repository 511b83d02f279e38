import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { children, stopChild, WORKSPACE } from '../services';
import type { VendorFakeUrls } from './vendor-fakes';

export interface VendorFakes {
  urls: VendorFakeUrls;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts bench/scale/vendor-fakes.ts in its own process and waits for its URLs. */
export async function startVendorFakes(dir: string): Promise<VendorFakes> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'vendor-fakes.ts')], {
    cwd: WORKSPACE,
    env: { ...process.env },
    // stdin open: the fakes end when it closes, so they never outlive the benchmark.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.stderr?.pipe(createWriteStream(join(dir, 'vendor-fakes.log')));
  const urls = await new Promise<VendorFakeUrls>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('the vendor fakes did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the vendor fakes exited with ${code} (log: ${join(dir, 'vendor-fakes.log')})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n')[0];
      if (text.includes('\n')) {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as VendorFakeUrls);
        } catch (error) {
          reject(error);
        }
      }
    });
  });
  return {
    urls,
    child,
    stop: async () => {
      child.stdin?.end();
      await stopChild(child);
    },
  };
}
