import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { silentLogger } from '@codcall/logging';
import { FakeAgentApi, FakeGateway } from '@codcall/test-support';
import { runCli } from './cli';
import type { CliDeps } from './cli-deps';

const AGENT = '11111111-1111-4111-8111-111111111111';

class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** A fixed-offset zone where it is 14:xx right now, so a 13:00-16:00 window is open for that row whenever the test runs. */
function zoneWhereItIsTwoPm(): string {
  const offset = 14 - new Date().getUTCHours(); // -9 .. +14, all of them Etc/GMT zones
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`; // Etc/GMT-5 is UTC+5
}

describe('outbound-cli with a calling window that never opens for some rows', () => {
  let dir: string;
  let gateway: FakeGateway;
  let agentApi: FakeAgentApi;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outbound-cli-windows-'));
    gateway = await new FakeGateway({ carriers: ['sim'], script: () => ({ outcome: { status: 'confirmed' } }) }).start();
    agentApi = await new FakeAgentApi([AGENT]).start();
  });

  afterEach(async () => {
    await gateway.stop();
    await agentApi.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--window 13:00-16:00: the US and Mexican rows end outside_window, the open row is called, and the run exits 0 (it exited 2 before dialling anyone)', async () => {
    const csv = join(dir, 'call_list.csv');
    const text = [
      'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,timezone',
      'John Doe,+15551234567,ORD001,,,,',
      'María García,+525512345678,ORD005,,,,',
      `Priya Sharma,+919876543210,ORD003,,,,${zoneWhereItIsTwoPm()}`,
      '',
    ].join('\n');
    writeFileSync(csv, text);
    const stdout = new Captured();
    const stderr = new Captured();
    const deps = {
      env: { GATEWAY_URL: gateway.url, AGENT_API_URL: agentApi.url },
      cwd: dir,
      stdout,
      stderr,
      onSignal: () => () => undefined,
      exitNow: () => undefined,
      logger: silentLogger(),
      pollSeconds: 5,
    } as unknown as CliDeps;

    const code = await runCli([`--agentId=${AGENT}`, '--csv', csv, '--provider', 'sim', '--no-progress', '--window', '13:00-16:00', '--cps', '1000', '--max-attempts', '1'], deps);

    expect(stderr.text).not.toMatch(/outbound-cli:/);
    expect(code).toBe(0);
    expect(gateway.received.map((call) => call.context['order_id'])).toEqual(['ORD003']);
    expect(readFileSync(csv, 'utf8')).toBe(text.replace('ORD001,,', 'ORD001,outside_window,').replace('ORD005,,', 'ORD005,outside_window,').replace('ORD003,,', 'ORD003,confirmed,'));
    expect(stderr.text).toMatch(/ORD001 .* outside_window \(the calling window \(13:00-16:00 local time, every day\) is never open in all of America\/Adak, .*America\/New_York/);
    expect(stdout.text).toContain('2 outside their calling window, not dialled');
  });
});
