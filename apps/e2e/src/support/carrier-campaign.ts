import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { CallListRepository } from '@codcall/call-list';
import { HttpGatewayClient, NO_RETRIES, runCampaign, type CampaignSummary } from '@codcall/campaign';
import type { CalleeBook, CarrierName } from '@codcall/telephony-providers';

/** One callee of every kind a carrier campaign must handle, with what their row must end as. */
const CALLEES: { name: string; phone: string; profile: CalleeBook[string]; expect: (tomorrowInIndia: string) => string }[] = [
  { name: 'John Doe', phone: '+15551234567', profile: { answer: 'human', says: ['Yes, speaking.', 'Yes, please deliver it.'] }, expect: () => 'confirmed,,' },
  { name: 'Jane Smith', phone: '+15559876543', profile: { answer: 'human', says: ['Yes, this is Jane.', 'No, please cancel it. I ordered it by mistake.'] }, expect: () => 'cancelled,,' },
  {
    name: 'Priya Sharma',
    phone: '+919876543210',
    profile: { answer: 'human', says: ['Yes, speaking.', "I won't be home. Can you deliver it tomorrow at 3 pm?"] },
    expect: (tomorrow) => `rescheduled,${tomorrow},15:00`,
  },
  { name: 'Ahmed', phone: '+971501234567', profile: { answer: 'human', says: ['You have the wrong number.'] }, expect: () => 'wrong_person,,' },
  { name: 'María', phone: '+525512345678', profile: { answer: 'no_answer' }, expect: () => 'no_answer,,' },
  { name: 'Budi', phone: '+628123456789', profile: { answer: 'busy' }, expect: () => 'busy,,' },
  { name: 'สมชาย', phone: '+66812345678', profile: { answer: 'voicemail' }, expect: () => 'voicemail,,' },
];

/** The scripted callees, by number, for a fake carrier; `only` keeps the first N kinds (the four who talk). */
export function scriptedCallees(only = CALLEES.length): CalleeBook {
  return Object.fromEntries(CALLEES.slice(0, only).map((callee) => [callee.phone, callee.profile]));
}

/**
 * Runs a campaign through the gateway over a CSV of the scripted callees (orders `<prefix>1`...),
 * one dial per row, and returns the CSV as written and as it must be: byte for byte.
 */
export async function runScriptedCampaign(options: { gatewayUrl: string; carrier: CarrierName; prefix: string; only?: number }): Promise<{ summary: CampaignSummary; written: string; expected: string }> {
  const callees = CALLEES.slice(0, options.only ?? CALLEES.length);
  const header = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time\r\n';
  const row = (callee: (typeof CALLEES)[number], i: number, outcome: string) => `${callee.name},${callee.phone},${options.prefix}${i + 1},${outcome}\r\n`;
  const original = header + callees.map((callee, i) => row(callee, i, ',,')).join('');
  const csv = join(mkdtempSync(join(tmpdir(), `${options.carrier}-csv-`)), 'calls.csv');
  writeFileSync(csv, original);

  const repository = await CallListRepository.open(csv);
  const summary = await runCampaign({
    repository,
    gateway: new HttpGatewayClient(options.gatewayUrl),
    agentId: 'cod',
    carrier: options.carrier,
    concurrency: callees.length,
    callsPerSecond: Infinity,
    retryPolicy: NO_RETRIES,
  });
  await repository.close();
  const tomorrow = DateTime.now().setZone('Asia/Kolkata').plus({ days: 1 }).toISODate() ?? '';
  const expected = header + callees.map((callee, i) => row(callee, i, callee.expect(tomorrow))).join('');
  return { summary, written: readFileSync(csv, 'utf8'), expected };
}
