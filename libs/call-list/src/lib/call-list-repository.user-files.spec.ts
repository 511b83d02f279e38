import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallListRepository } from './call-list-repository';
import { findDuplicateRows } from './duplicates';
import { checkPhone } from './phone';
import { normaliseStatusText, recogniseStatus } from './status';

const HEADER = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time';

describe('CallListRepository: the files users really have', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'call-list-user-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function csvFile(content: string | Buffer, name = 'call_list.csv'): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  describe('a symlinked CSV', () => {
    it('given a link to a CSV in another folder, the outcome goes into the target and the link stays a link', async () => {
      mkdirSync(join(dir, 'shared'));
      const original = `\ufeff${HEADER},notes\r\n"Doe, John",+15551234567,O1,,,,"ring ""twice"""\r\nJane,+15559876543,O2,,,,\r\n`;
      const target = csvFile(original, 'shared/orders.csv');
      const link = join(dir, 'call_list.csv');
      symlinkSync(target, link);

      const repo = await CallListRepository.open(link, { flushIntervalMs: 60_000 });
      expect(repo.targetPath).toBe(target);
      await repo.record('row:1', { status: 'cancelled' });
      await repo.flush();
      await repo.close();

      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(target, 'utf8')).toBe(original.replace('Jane,+15559876543,O2,,,,', 'Jane,+15559876543,O2,cancelled,,,'));
      // The journal and the temp file live beside the target: nothing is left beside the link.
      expect(readdirSync(dir).sort()).toEqual(['call_list.csv', 'shared']);
      expect(readdirSync(join(dir, 'shared')).sort()).toEqual(['orders.csv', 'orders.csv.journal']);
      expect(readFileSync(`${target}.journal`, 'utf8')).toBe('');
    });

    it('replays a journal left by a crash through the link, into the target', async () => {
      const target = csvFile(`${HEADER}\nA,+15551234567,O1,,,\n`, 'orders.csv');
      const link = join(dir, 'today.csv');
      symlinkSync('orders.csv', link); // a relative link
      const crashed = await CallListRepository.open(link, { flushIntervalMs: 60_000 });
      await crashed.record('row:0', { status: 'confirmed' });

      const reopened = await CallListRepository.open(target); // the same file under its own name: the same journal
      await reopened.close();
      expect(readFileSync(target, 'utf8')).toBe(`${HEADER}\nA,+15551234567,O1,confirmed,,\n`);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
    });
  });

  describe('encodings other than UTF-8 are refused by name, the file untouched', () => {
    const text = `${HEADER}\nPriya,+919876543210,O1,,,\n`;
    const utf16be = (value: string) => {
      const le = Buffer.from(value, 'utf16le');
      const be = Buffer.alloc(le.length);
      for (let i = 0; i < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1], le[i]];
      return be;
    };
    const utf32le = (value: string) => {
      const out = Buffer.alloc(value.length * 4);
      [...value].forEach((char, i) => out.writeUInt32LE(char.codePointAt(0)!, i * 4));
      return out;
    };

    it.each([
      ['UTF-16LE with a BOM (Excel "Unicode Text")', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'is UTF-16LE;'],
      ['UTF-16BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)]), 'is UTF-16BE;'],
      ['UTF-16LE without a BOM', Buffer.from(text, 'utf16le'), 'is UTF-16LE (without a byte-order mark);'],
      ['UTF-16BE without a BOM', utf16be(text), 'is UTF-16BE (without a byte-order mark);'],
      ['UTF-32LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32le(text)]), 'is UTF-32LE;'],
      ['UTF-32LE without a BOM', utf32le(text), 'is UTF-32LE (without a byte-order mark);'],
    ])('%s', async (_name, bytes, says) => {
      const path = csvFile(bytes);
      const error = await CallListRepository.open(path).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ENCODING' });
      expect((error as Error).message).toBe(`${path} ${says} save it as UTF-8 (CSV UTF-8 in Excel) and run again`);
      expect(readFileSync(path).equals(bytes)).toBe(true);
      expect(existsSync(`${path}.journal`)).toBe(false);
    });

    it('Windows-1252, naming the line of the first byte that is not UTF-8', async () => {
      const bytes = Buffer.concat([Buffer.from(`${HEADER}\nJohn,+15551234567,O1,,,\nJos`), Buffer.from([0xe9]), Buffer.from(',+15559876543,O2,,,\n')]);
      const path = csvFile(bytes);
      await expect(CallListRepository.open(path)).rejects.toThrow(
        `${path} is not UTF-8: line 3 has the byte 0xE9, which UTF-8 never has there (the file is probably Windows-1252 or Latin-1); save it as UTF-8 (CSV UTF-8 in Excel) and run again`,
      );
    });

    it('a file with NUL bytes that is not UTF-16 either', async () => {
      const path = csvFile(Buffer.concat([Buffer.from(`${HEADER}\nJohn,+15551234567,O1,,,\n`), Buffer.from([0, 1, 2])]));
      await expect(CallListRepository.open(path)).rejects.toMatchObject({ code: 'ENCODING', message: expect.stringContaining('contains NUL bytes') });
    });

    it('accepts UTF-8 with a BOM and keeps the BOM', async () => {
      const path = csvFile(`\ufeff${HEADER}\nJosé,+15551234567,O1,,,\n`);
      const repo = await CallListRepository.open(path);
      await repo.record('row:0', { status: 'confirmed' });
      await repo.close();
      expect(readFileSync(path, 'utf8')).toBe(`\ufeff${HEADER}\nJosé,+15551234567,O1,confirmed,,\n`);
    });
  });

  describe('statuses as people write them', () => {
    it('given final statuses in any case, spacing or punctuation, those rows are not to call and their cells stay as written', async () => {
      const rows = [
        'A,+15551000001,O1,Confirmed.,,',
        'B,+15551000002,O2,  CANCELLED ,,',
        'C,+15551000003,O3,Do Not Call,,',
        'D,+15551000004,O4,DNC,,',
        'E,+15551000005,O5,do-not-call,,',
        'F,+15551000006,O6,D.N.C.,,',
        'G,+15551000007,O7,wrong person,,',
        'H,+15551000008,O8,No Answer,,',
        'I,+15551000009,O9,pending,,',
        'J,+15551000010,O10,To Call,,',
        'K,+15551000011,O11,,,',
        'L,+15551000012,O12,called twice - ask Raj,,',
        'M,+15551000013,O13,maybe,,',
      ];
      const original = `${HEADER}\n${rows.join('\n')}\n`;
      const path = csvFile(original);
      const repo = await CallListRepository.open(path);

      expect(repo.rows().map((row) => [row.values['order_id'], row.statusKind, row.status])).toEqual([
        ['O1', 'final', 'confirmed'],
        ['O2', 'final', 'cancelled'],
        ['O3', 'final', 'do_not_call'],
        ['O4', 'final', 'do_not_call'],
        ['O5', 'final', 'do_not_call'],
        ['O6', 'final', 'do_not_call'],
        ['O7', 'final', 'wrong_person'],
        ['O8', 'pending', 'no_answer'],
        ['O9', 'pending', ''],
        ['O10', 'pending', ''],
        ['O11', 'pending', ''],
        ['O12', 'unknown', 'called twice - ask Raj'],
        ['O13', 'unknown', 'maybe'],
      ]);
      expect(repo.pendingRows().map((row) => row.values['order_id'])).toEqual(['O8', 'O9', 'O10', 'O11']);
      expect(repo.unknownStatusRows().map((row) => [row.line, row.values['status']])).toEqual([
        [13, 'called twice - ask Raj'],
        [14, 'maybe'],
      ]);
      await repo.close();
      expect(readFileSync(path, 'utf8')).toBe(original); // read, never rewritten
    });

    it('an unknown status is overwritten only when an outcome is recorded for it', async () => {
      const path = csvFile(`${HEADER}\nA,+15551000001,O1,maybe,,\nB,+15551000002,O2,Confirmed.,,\n`);
      const repo = await CallListRepository.open(path);
      await repo.record('row:0', { status: 'busy' });
      expect(repo.rows()[0]).toMatchObject({ status: 'busy', statusKind: 'pending' });
      await repo.close();
      expect(readFileSync(path, 'utf8')).toBe(`${HEADER}\nA,+15551000001,O1,busy,,\nB,+15551000002,O2,Confirmed.,,\n`);
    });

    it.each([
      ['Do Not Call', 'do_not_call'],
      [' d.n.c. ', 'dnc'],
      ['Confirmed!', 'confirmed'],
      ['no-answer', 'no_answer'],
      ['Wrong  Person', 'wrong_person'],
      ["don't call", 'dont_call'],
    ])('normalises %j as %j', (cell, word) => {
      expect(normaliseStatusText(cell)).toBe(word);
    });

    it('knows the outcome statuses, their shorthands and the "to do" words, and nothing else', () => {
      expect(recogniseStatus("Don't call")).toEqual({ kind: 'final', status: 'do_not_call' });
      expect(recogniseStatus('Busy')).toEqual({ kind: 'pending', status: 'busy' });
      expect(recogniseStatus('retry')).toEqual({ kind: 'pending', status: '' });
      expect(recogniseStatus('delivered')).toEqual({ kind: 'unknown' });
    });
  });

  describe('duplicate rows', () => {
    it('groups rows with the same order id and the same number however it is written; different orders or numbers are not duplicates', async () => {
      const path = csvFile(
        [
          HEADER,
          'A,+15551234567,O1,,,',
          'A again,+1 555 123 4567,O1 ,,,',
          'A other order,+15551234567,O2,,,',
          'B,+15559876543,O1,,,',
          'No order,+15550000001,,,,',
          'No order,+15550000001,,,,',
          'Bad,12345,O9,,,',
          'Bad,12345,O9,,,',
          'A third time,+15551234567,O1,confirmed,,',
          '',
        ].join('\n'),
      );
      const repo = await CallListRepository.open(path);
      expect(repo.duplicateGroups().map((group) => group.map((row) => row.line))).toEqual([[2, 3, 10]]);
      expect(findDuplicateRows(repo.pendingRows()).map((group) => group.map((row) => row.line))).toEqual([[2, 3]]);
      // Each row is still its own: recording one leaves the other as it was.
      await repo.record('row:1', { status: 'confirmed' });
      await repo.close();
      expect(readFileSync(path, 'utf8')).toContain('A again,+1 555 123 4567,O1 ,confirmed,,');
      expect(readFileSync(path, 'utf8')).toContain('A,+15551234567,O1,,,');
    });
  });

  describe('numbers in messages', () => {
    it('an unusable number is masked in its reason', () => {
      const check = checkPhone('98765 43210');
      expect(check).toEqual({ ok: false, reason: '"98******10" has no leading + and country code (E.164, e.g. +919876543210)' });
      expect(checkPhone('n/a')).toEqual({ ok: false, reason: '"n/a" has no leading + and country code (E.164, e.g. +919876543210)' });
    });
  });
});
