import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallRecording, readWavPcm16, silenceFrame } from '@codcall/media';
import { FileCallArchive } from './file-call-archive';

describe('FileCallArchive', () => {
  let dir: string;

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'codcall-archive-')), 'records');
  });

  afterEach(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('streams a call\'s recording into a temp file while it runs, and renames it to <call id>.wav only at its end', async () => {
    const archive = new FileCallArchive(dir);
    let now = 0;
    const recording = new CallRecording({ sink: archive.openRecording('call-7'), now: () => now, blockMs: 100 });
    for (let i = 0; i < 100; i++) {
      recording.addInbound(silenceFrame());
      now += 20;
    }
    // Two seconds in: the blocks are on disk under the temp name; nothing under the final one.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await readdir(dir)).toEqual([`call-7.wav.${process.pid}.tmp`]);

    const path = await recording.finish();
    expect(path).toBe(join(dir, 'call-7.wav'));
    expect(await readdir(dir)).toEqual(['call-7.wav']);
    const { sampleRate, channels, pcm } = readWavPcm16(await readFile(path));
    expect([sampleRate, channels, pcm.length]).toEqual([8000, 2, 2 * 100 * 160]);
    const wav = await readFile(path);
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8); // the RIFF size, patched at the end
    expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
  });

  it('leaves nothing behind for a recording that is aborted', async () => {
    const archive = new FileCallArchive(dir);
    const recording = new CallRecording({ sink: archive.openRecording('call-8'), now: () => 10_000, blockMs: 20 });
    for (let i = 0; i < 10; i++) recording.addInbound(silenceFrame());
    await recording.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('says why when the recording could not be written, and leaves no file', async () => {
    const archive = new FileCallArchive(dir);
    const sink = archive.openRecording('call-9');
    await rm(dir, { recursive: true, force: true }); // the folder is gone under the running call
    const recording = new CallRecording({ sink, now: () => 0 });
    await expect(recording.finish()).rejects.toThrow(/could not write the recording .*call-9\.wav/);
  });

  it('keeps the record as <call id>.json', async () => {
    const archive = new FileCallArchive(dir);
    await archive.saveRecord({ callId: 'call-1', agentId: 'a', carrier: 'sim', to: '+91XXXXXX3210', context: {}, state: 'completed', createdAt: '2026-12-01T00:00:00.000Z', timeline: [], transcript: [], toolCalls: [], turnLatenciesMs: [] } as never);
    expect(JSON.parse(await readFile(join(dir, 'call-1.json'), 'utf8'))).toMatchObject({ callId: 'call-1' });
    expect(await readdir(dir)).toEqual(['call-1.json']);
  });
});
