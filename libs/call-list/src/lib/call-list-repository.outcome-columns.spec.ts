import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallListRepository } from './call-list-repository';
import type { Outcome } from './outcome';
import { recogniseStatus } from './status';

const HEADER = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time';

describe('CallListRepository: callbacks, transfers and address corrections', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'call-list-columns-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function csvFile(content: string): string {
    const path = join(dir, 'call_list.csv');
    writeFileSync(path, content);
    return path;
  }

  async function record(path: string, outcomes: [key: string, outcome: Outcome][]): Promise<string> {
    const repo = await CallListRepository.open(path, { flushIntervalMs: 60_000 });
    for (const [key, outcome] of outcomes) await repo.record(key, outcome);
    await repo.close();
    return readFileSync(path, 'utf8');
  }

  it('given a file with callback_at and address_update columns, a callback fills callback_at, a correction fills address_update, and nothing else moves', async () => {
    const header = `${HEADER},callback_at,address,address_update,language\r\n`;
    const path = csvFile(
      header +
        'Sam Carter,+15557654321,ORD012,,,,,"12 Elm St, Denver",,\r\n' +
        'فاطمة الزهراء,+971509876543,ORD011,,,,,"Villa 9, Jumeirah",,ar\r\n' +
        'Lee Wong,+15553334444,ORD013,,,,,Seattle,,\r\n',
    );
    const text = await record(path, [
      ['row:0', { status: 'callback_requested', callback_at: '2026-12-01T18:00-07:00' }],
      ['row:1', { status: 'confirmed', address_update: 'Villa 9, Street 14, Jumeirah 1, Dubai' }],
      ['row:2', { status: 'transferred' }],
    ]);
    expect(text).toBe(
      header +
        'Sam Carter,+15557654321,ORD012,callback_requested,,,2026-12-01T18:00-07:00,"12 Elm St, Denver",,\r\n' +
        'فاطمة الزهراء,+971509876543,ORD011,confirmed,,,,"Villa 9, Jumeirah","Villa 9, Street 14, Jumeirah 1, Dubai",ar\r\n' +
        'Lee Wong,+15553334444,ORD013,transferred,,,,Seattle,,\r\n',
    );
  });

  it('given a file without those columns, the same outcomes write the status cell only: no column is ever added', async () => {
    const original = `${HEADER},city\nSam Carter,+15557654321,ORD012,,,,Denver\nFatima,+971509876543,ORD011,,,,Dubai\n`;
    const text = await record(csvFile(original), [
      ['row:0', { status: 'callback_requested', callback_at: '2026-12-01T18:00-07:00' }],
      ['row:1', { status: 'confirmed', address_update: 'Villa 9, Street 14' }],
    ]);
    expect(text).toBe(`${HEADER},city\nSam Carter,+15557654321,ORD012,callback_requested,,,Denver\nFatima,+971509876543,ORD011,confirmed,,,Dubai\n`);
  });

  it('given a callback that was later confirmed, callback_at is emptied and the earlier address correction stays', async () => {
    const path = csvFile(`${HEADER},callback_at,address_update\nSam,+15557654321,ORD012,,,,,\n`);
    await record(path, [['row:0', { status: 'callback_requested', callback_at: '2026-12-01T18:00+05:30', address_update: 'Flat 4B, MG Road' }]]);
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER},callback_at,address_update\nSam,+15557654321,ORD012,callback_requested,,,2026-12-01T18:00+05:30,"Flat 4B, MG Road"\n`);
    const text = await record(path, [['row:0', { status: 'confirmed' }]]);
    expect(text).toBe(`${HEADER},callback_at,address_update\nSam,+15557654321,ORD012,confirmed,,,,"Flat 4B, MG Road"\n`);
  });

  it('completes a short row up to the last cell it writes, and no further', async () => {
    const path = csvFile(`${HEADER},callback_at,address_update\nSam,+15557654321,ORD012\nLee,+15553334444,ORD013\n`);
    const text = await record(path, [
      ['row:0', { status: 'callback_requested', callback_at: '2026-12-02T10:30Z' }],
      ['row:1', { status: 'confirmed', address_update: '7 Pine Ave' }],
    ]);
    expect(text).toBe(`${HEADER},callback_at,address_update\nSam,+15557654321,ORD012,callback_requested,,,2026-12-02T10:30Z\nLee,+15553334444,ORD013,confirmed,,,,7 Pine Ave\n`);
  });

  it('writes what the callee said as text: one line, and a leading = + - @ cannot become a spreadsheet formula', async () => {
    const path = csvFile(`${HEADER},address_update\nA,+15551234567,O1,,,,\n`);
    const text = await record(path, [['row:0', { status: 'confirmed', address_update: '  =HYPERLINK("http://x")\n  near the mosque ' }]]);
    expect(text).toBe(`${HEADER},address_update\nA,+15551234567,O1,confirmed,,,"'=HYPERLINK(""http://x"") near the mosque"\n`);
  });

  it('refuses a callback time that is not a moment with its offset, and an address longer than an address', async () => {
    const repo = await CallListRepository.open(csvFile(`${HEADER},callback_at,address_update\nA,+15551234567,O1,,,,,\n`));
    await expect(repo.record('row:0', { status: 'callback_requested', callback_at: 'after 6' })).rejects.toMatchObject({ code: 'INVALID_OUTCOME', message: expect.stringContaining('callback_at') });
    await expect(repo.record('row:0', { status: 'callback_requested', callback_at: '2026-12-01T18:00' })).rejects.toMatchObject({ code: 'INVALID_OUTCOME' });
    await expect(repo.record('row:0', { status: 'callback_requested', callback_at: '2026-02-30T18:00+05:30' })).rejects.toMatchObject({ code: 'INVALID_OUTCOME' });
    await expect(repo.record('row:0', { status: 'confirmed', address_update: 'x'.repeat(501) })).rejects.toMatchObject({ code: 'INVALID_OUTCOME', message: expect.stringContaining('address_update') });
    await repo.close();
  });

  it('replays a journalled callback, its time included, after a crash', async () => {
    const path = csvFile(`${HEADER},callback_at\nA,+15551234567,O1,,,,\n`);
    const crashed = await CallListRepository.open(path, { flushIntervalMs: 60_000 });
    await crashed.record('row:0', { status: 'callback_requested', callback_at: '2026-12-01T18:00+04:00' });
    const reopened = await CallListRepository.open(path);
    await reopened.close();
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER},callback_at\nA,+15551234567,O1,callback_requested,,,2026-12-01T18:00+04:00\n`);
  });

  it('reads a callback_requested row as still to call and a transferred one as done, and the language cell as any other', async () => {
    const repo = await CallListRepository.open(
      csvFile(`${HEADER},callback_at,language\nA,+15551234567,O1,callback_requested,,,2026-12-01T18:00+05:30,Hinglish\nB,+15551234568,O2,Transferred.,,,,hi\nC,+15551234569,O3,,,,,\n`),
    );
    expect(repo.pendingRows().map((row) => [row.values['order_id'], row.status, row.values['language']])).toEqual([
      ['O1', 'callback_requested', 'Hinglish'],
      ['O3', '', ''],
    ]);
    expect(repo.rows()[1]).toMatchObject({ status: 'transferred', statusKind: 'final' });
    await repo.close();
  });
});

describe('the new statuses, as people write them', () => {
  it.each([
    ['callback_requested', 'pending'],
    ['Callback requested', 'pending'],
    ['Call back', 'pending'],
    ['callback.', 'pending'],
    ['Transferred', 'final'],
    ['transferred to human', 'final'],
  ])('%p is %s', (cell, kind) => {
    const recognised = recogniseStatus(cell);
    expect(recognised.kind).toBe(kind);
    expect(recognised.status).toBe(kind === 'final' ? 'transferred' : 'callback_requested');
  });
});
