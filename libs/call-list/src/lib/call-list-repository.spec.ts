import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallListError } from './call-list-error';
import { CallListRepository } from './call-list-repository';
import { checkPhone } from './phone';

const HEADER = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time';

function csvFile(content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'call-list-')), 'calls.csv');
  writeFileSync(path, content);
  return path;
}

async function recordAll(path: string, outcomes: Record<string, Parameters<CallListRepository['record']>[1]>) {
  const repo = await CallListRepository.open(path);
  for (const [orderId, outcome] of Object.entries(outcomes)) {
    const row = repo.rows().find((r) => r.values['order_id'] === orderId);
    if (!row) throw new Error(`no ${orderId}`);
    await repo.record(row.key, outcome);
  }
  await repo.close();
  return readFileSync(path);
}

describe('CallListRepository: the user’s file survives byte for byte', () => {
  it('fills status and reschedule cells of the seed file and nothing else', async () => {
    const path = csvFile(`${HEADER}\nJohn Doe,+15551234567,ORD001,,,\nJane Smith,+15559876543,ORD002,,,\n`);
    const bytes = await recordAll(path, {
      ORD001: { status: 'confirmed' },
      ORD002: { status: 'rescheduled', reschedule_date: '2026-12-03', reschedule_time: '15:00' },
    });
    expect(bytes.toString()).toBe(`${HEADER}\nJohn Doe,+15551234567,ORD001,confirmed,,\nJane Smith,+15559876543,ORD002,rescheduled,2026-12-03,15:00\n`);
  });

  it('keeps a BOM, CRLF, quoting, embedded commas, quotes and newlines, extra columns, non-Latin text and blank trailing lines', async () => {
    const original = Buffer.from(
      '\ufeff' +
        'notes,order_id,"name",status,recipient_phone_number,reschedule_time,city,reschedule_date\r\n' +
        '"gate 4, ring ""twice""",A1,"Doe, John","",+15551234567,"",Austin,""\r\n' +
        '"line one\r\nline two",A2,प्रिया शर्मा,,+919876543210,,मुंबई,\r\n' +
        'x,A3,أحمد,,+971501234567,,دبي,\r\n' +
        'y,A4,สมชาย 🚚,,+66812345678,,กรุงเทพ,\r\n' +
        '\r\n\r\n',
      'utf8',
    );
    const path = csvFile(original);
    const bytes = await recordAll(path, {
      A1: { status: 'rescheduled', reschedule_date: '2026-12-01', reschedule_time: '09:30' },
      A2: { status: 'cancelled' },
      A4: { status: 'wrong_person' },
    });
    const expected = original
      .toString('utf8')
      .replace('A1,"Doe, John","",+15551234567,"",Austin,""', 'A1,"Doe, John","rescheduled",+15551234567,"09:30",Austin,"2026-12-01"')
      .replace('A2,प्रिया शर्मा,,+919876543210,,मुंबई,', 'A2,प्रिया शर्मा,cancelled,+919876543210,,मुंबई,')
      .replace('A4,สมชาย 🚚,,+66812345678,,กรุงเทพ,', 'A4,สมชาย 🚚,wrong_person,+66812345678,,กรุงเทพ,');
    expect(bytes.equals(Buffer.from(expected, 'utf8'))).toBe(true);
  });

  it('keeps LF endings and a missing final newline, and completes a short row', async () => {
    const path = csvFile(`${HEADER}\nA,+15551234567,O1\nB,+15551234568,O2,,,`);
    const bytes = await recordAll(path, { O1: { status: 'no_answer' }, O2: { status: 'busy' } });
    expect(bytes.toString()).toBe(`${HEADER}\nA,+15551234567,O1,no_answer,,\nB,+15551234568,O2,busy,,`);
  });

  it('updates two rows that share a phone number and an order id independently', async () => {
    const path = csvFile(`${HEADER}\nA,+15551234567,O1,,,\nA,+15551234567,O1,,,\n`);
    const repo = await CallListRepository.open(path);
    await repo.record(repo.rows()[1].key, { status: 'cancelled' });
    await repo.close();
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}\nA,+15551234567,O1,,,\nA,+15551234567,O1,cancelled,,\n`);
  });

  it('serialises many concurrent outcomes into one consistent file', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `N${i},+1555123${String(4000 + i)},O${i},,,`);
    const path = csvFile(`${HEADER}\n${lines.join('\n')}\n`);
    const repo = await CallListRepository.open(path, { flushIntervalMs: 5 });
    await Promise.all(repo.rows().map((row) => repo.record(row.key, { status: row.index % 2 ? 'confirmed' : 'busy' })));
    await repo.close();
    const expected = lines.map((line, i) => line.replace(/,,,$/, `,${i % 2 ? 'confirmed' : 'busy'},,`));
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}\n${expected.join('\n')}\n`);
  });

  it('keeps every cell in place across many rewrites, rows written twice and short rows included', async () => {
    const header = '\ufeffnotes,order_id,name,status,recipient_phone_number,reschedule_time,city,reschedule_date\r\n';
    const path = csvFile(
      header +
        '"a, ""b""",A1,"Doe, John","",+15551234567,"",Austin,""\r\n' +
        '"two\r\nlines",A2,प्रिया,,+919876543210,,मुंबई,\r\n' +
        'short,A3,Ahmed,,+971501234567\r\n' +
        'x,A4,สมชาย 🚚,,+66812345678,,กรุงเทพ,\r\n',
    );
    const repo = await CallListRepository.open(path, { flushIntervalMs: 60_000 });
    await repo.record('row:1', { status: 'no_answer' });
    await repo.record('row:3', { status: 'busy' });
    await repo.flush();
    await repo.record('row:0', { status: 'rescheduled', reschedule_date: '2026-12-01', reschedule_time: '09:30' });
    await repo.record('row:2', { status: 'cancelled' });
    await repo.flush();
    await repo.record('row:1', { status: 'rescheduled', reschedule_date: '2026-12-02', reschedule_time: '10:00' });
    await repo.record('row:3', { status: 'confirmed' });
    await repo.record('row:2', { status: 'rescheduled', reschedule_date: '2026-12-03', reschedule_time: '11:00' });
    await repo.close();
    expect(readFileSync(path, 'utf8')).toBe(
      header +
        '"a, ""b""",A1,"Doe, John","rescheduled",+15551234567,"09:30",Austin,"2026-12-01"\r\n' +
        '"two\r\nlines",A2,प्रिया,rescheduled,+919876543210,10:00,मुंबई,2026-12-02\r\n' +
        'short,A3,Ahmed,rescheduled,+971501234567,11:00,,2026-12-03\r\n' +
        'x,A4,สมชาย 🚚,confirmed,+66812345678,,กรุงเทพ,\r\n',
    );
    expect(repo.stats.rewrites).toBe(3);
  });

  it('writes O(rows) bytes for a large campaign, not O(rows²)', async () => {
    const rows = 5000;
    const path = csvFile(`${HEADER}\n${Array.from({ length: rows }, (_, i) => `Name ${i},+1555${String(1000000 + i)},O${i},,,`).join('\n')}\n`);
    const size = statSync(path).size;
    const repo = await CallListRepository.open(path, { flushIntervalMs: 60_000 });
    await Promise.all(repo.rows().map((row) => repo.record(row.key, { status: 'confirmed' })));
    await repo.close();
    expect(repo.stats.bytesWritten).toBeLessThan(40 * size);
    expect(readFileSync(path, 'utf8').split('\n').filter((l) => l.includes(',confirmed,')).length).toBe(rows);
  });
});

describe('CallListRepository: bad input and crashes', () => {
  it('names every missing column and leaves the file untouched', async () => {
    const content = 'name,phone,order_id\nA,+15551234567,O1\n';
    const path = csvFile(content);
    const before = statSync(path).mtimeMs;
    await expect(CallListRepository.open(path)).rejects.toThrow(/missing required columns recipient_phone_number, status, reschedule_date, reschedule_time/);
    expect(readFileSync(path, 'utf8')).toBe(content);
    expect(statSync(path).mtimeMs).toBe(before);
  });

  it('reports empty, missing and malformed files with their code', async () => {
    await expect(CallListRepository.open(csvFile(''))).rejects.toMatchObject({ code: 'EMPTY' });
    await expect(CallListRepository.open('/nonexistent/calls.csv')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(CallListRepository.open(csvFile(`${HEADER}\n"A,+1555,O1,,,\n`))).rejects.toMatchObject({ code: 'MALFORMED' });
  });

  it('applies an outcome journalled just before a crash at the next open', async () => {
    const path = csvFile(`${HEADER}\nA,+15551234567,O1,,,\n`);
    const crashed = await CallListRepository.open(path, { flushIntervalMs: 60_000 });
    await crashed.record('row:0', { status: 'confirmed' });
    expect(readFileSync(path, 'utf8')).not.toContain('confirmed'); // not yet written: the process "dies" here
    const reopened = await CallListRepository.open(path);
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}\nA,+15551234567,O1,confirmed,,\n`);
    expect(reopened.pendingRows()).toHaveLength(0);
    expect(readFileSync(`${path}.journal`, 'utf8')).toBe('');
    await reopened.close();
  });

  it('removes the temp file of a rewrite killed before its rename, and only when its process is gone', async () => {
    const path = csvFile(`${HEADER}\nA,+15551234567,O1,,,\n`);
    const dir = join(path, '..');
    writeFileSync(join(dir, '.calls.csv.4194311.tmp'), `${HEADER}\nA,+15551234567,O1,conf`); // a pid above Linux's maximum: gone
    writeFileSync(join(dir, `.calls.csv.${process.pid}.tmp`), 'a rewrite in progress');
    const repo = await CallListRepository.open(path);
    await repo.close();
    expect(existsSync(join(dir, '.calls.csv.4194311.tmp'))).toBe(false);
    expect(existsSync(join(dir, `.calls.csv.${process.pid}.tmp`))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}\nA,+15551234567,O1,,,\n`);
  });

  it('read-only, shows outcomes still in the journal of a running campaign without writing them', async () => {
    const path = csvFile(`${HEADER}\nA,+15551234567,O1,,,\nB,+15551234568,O2,,,\n`);
    const running = await CallListRepository.open(path, { flushIntervalMs: 60_000 });
    await running.record('row:1', { status: 'confirmed' });
    const before = readFileSync(path);
    const journal = readFileSync(`${path}.journal`);

    const report = await CallListRepository.open(path, { readOnly: true });
    expect(report.rows().map((row) => row.status)).toEqual(['', 'confirmed']);
    await expect(report.record('row:0', { status: 'busy' })).rejects.toMatchObject({ code: 'READ_ONLY' });
    await report.close();
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readFileSync(`${path}.journal`).equals(journal)).toBe(true);

    await running.close(); // the campaign's own write still succeeds: nobody changed the file under it
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}\nA,+15551234567,O1,,,\nB,+15551234568,O2,confirmed,,\n`);
  });

  it('refuses to replay a journal onto a CSV that was edited since', async () => {
    const path = csvFile(`${HEADER}\nA,+15551234567,O1,,,\n`);
    const crashed = await CallListRepository.open(path, { flushIntervalMs: 60_000 });
    await crashed.record('row:0', { status: 'confirmed' });
    writeFileSync(path, `${HEADER}\nB,+15551234599,O9,,,\n`);
    await expect(CallListRepository.open(path)).rejects.toMatchObject({ code: 'CHANGED_ON_DISK' });
    expect(existsSync(`${path}.journal`)).toBe(true);
  });

  it('does not overwrite a file someone else changed during the campaign', async () => {
    const path = csvFile(`${HEADER}\nA,+15551234567,O1,,,\n`);
    const repo = await CallListRepository.open(path, { flushIntervalMs: 60_000 });
    await repo.record('row:0', { status: 'busy' });
    writeFileSync(path, `${HEADER}\nA,+15551234567,O1,,,\nEdited,+15551234568,O2,,,\n`);
    await expect(repo.flush()).rejects.toMatchObject({ code: 'CHANGED_ON_DISK' });
    expect(readFileSync(path, 'utf8')).toContain('Edited');
  });

  it('rejects invalid outcomes and unknown rows', async () => {
    const repo = await CallListRepository.open(csvFile(`${HEADER}\nA,+15551234567,O1,,,\n`));
    await expect(repo.record('row:0', { status: 'rescheduled', reschedule_date: '2026-02-30', reschedule_time: '10:00' })).rejects.toMatchObject({ code: 'INVALID_OUTCOME' });
    await expect(repo.record('row:0', { status: 'rescheduled', reschedule_date: '2026-02-03', reschedule_time: '25:00' })).rejects.toMatchObject({ code: 'INVALID_OUTCOME' });
    await expect(repo.record('row:7', { status: 'busy' })).rejects.toBeInstanceOf(CallListError);
    await repo.close();
  });

  it('skips rows whose status is already final', async () => {
    const repo = await CallListRepository.open(csvFile(`${HEADER}\nA,+15551234567,O1,Confirmed,,\nB,+15551234568,O2,no_answer,,\nC,+15551234569,O3,,,\n`));
    expect(repo.pendingRows().map((r) => r.values['order_id'])).toEqual(['O2', 'O3']);
    await repo.close();
  });
});

describe('phone numbers', () => {
  it('dials possible but unassigned numbers by default, and not in strict mode', () => {
    expect(checkPhone('+15551234567')).toEqual({ ok: true, e164: '+15551234567' });
    expect(checkPhone('+15551234567', true).ok).toBe(false);
    expect(checkPhone(' +91 98765-43210 ')).toEqual({ ok: true, e164: '+919876543210' });
  });

  it.each([
    ['9876543210', /no leading \+/],
    ['+91abc', /not digits/],
    ['+123', /8 to 15 digits/],
    ['+1234567890123456', /8 to 15 digits/],
    ['+91987654', /possible length/],
    ['', /empty/],
  ])('refuses %p with a reason', (raw, reason) => {
    const check = checkPhone(raw);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });
});
