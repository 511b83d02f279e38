import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

/*
 * The CLI's side of a campaign run on the campaign-api: the CSV goes up as it is on disk, and the
 * finished file comes back over it only if nobody changed it meanwhile (the service's copy has the
 * upload's bytes plus outcome cells, so writing it over an edited file would lose the edits).
 */

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What the CLI remembers beside the CSV between the upload and the write-back, so `--follow` can write back too. */
export interface UploadRecord {
  campaign_id: string;
  server: string;
  /** Of the bytes uploaded. */
  sha256: string;
  uploaded_at: string;
}

/** `<csv>.campaign-api.json`, beside the file itself (a symlink resolved), like its lock and journal. */
export async function uploadRecordPath(csvPath: string): Promise<string> {
  return `${await realpath(csvPath).catch(() => csvPath)}.campaign-api.json`;
}

export async function saveUploadRecord(csvPath: string, record: UploadRecord): Promise<void> {
  await writeFileAtomically(await uploadRecordPath(csvPath), Buffer.from(`${JSON.stringify(record, null, 2)}\n`));
}

/** The record of the upload of `campaignId` from this CSV, if this CSV was the one uploaded. */
export async function loadUploadRecord(csvPath: string, campaignId: string): Promise<UploadRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(await uploadRecordPath(csvPath), 'utf8')) as Partial<UploadRecord>;
    if (record.campaign_id !== campaignId || typeof record.sha256 !== 'string') return undefined;
    return record as UploadRecord;
  } catch {
    return undefined;
  }
}

export async function removeUploadRecord(csvPath: string): Promise<void> {
  await unlink(await uploadRecordPath(csvPath)).catch(() => undefined);
}

export type WriteBack =
  | { writtenTo: 'original'; path: string }
  /** The local file changed since the upload (or is not the one uploaded): the result went beside it. */
  | { writtenTo: 'beside'; path: string; why: string };

/**
 * Writes the campaign's CSV over `csvPath` if the file there still has the bytes uploaded
 * (`uploadedSha256`), else as `<name>.server.csv` beside it. A symlink is written through to its target.
 */
export async function writeBackCsv(csvPath: string, downloaded: Buffer, uploadedSha256: string | undefined): Promise<WriteBack> {
  const target = await realpath(csvPath).catch(() => csvPath);
  let current: Buffer | undefined;
  let mode: number | undefined;
  try {
    current = await readFile(target);
    mode = (await stat(target)).mode & 0o7777;
  } catch {
    current = undefined;
  }
  if (uploadedSha256 !== undefined && current !== undefined && sha256(current) === uploadedSha256) {
    await writeFileAtomically(target, downloaded, mode);
    return { writtenTo: 'original', path: csvPath };
  }
  const beside = join(dirname(csvPath), `${basename(csvPath, extname(csvPath))}.server.csv`);
  await writeFileAtomically(beside, downloaded, mode);
  const why =
    uploadedSha256 === undefined
      ? `there is no record beside ${csvPath} of its upload for this campaign`
      : current === undefined
        ? `${csvPath} is gone`
        : `${csvPath} changed since it was uploaded`;
  return { writtenTo: 'beside', path: beside, why };
}

/** Temp file in the same folder, fsync, rename, fsync of the folder: the file is the old one or the new one, never a part. */
export async function writeFileAtomically(path: string, bytes: Buffer, mode = 0o644): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(temp, 'wx', mode);
  try {
    await file.chmod(mode); // the CSV keeps its permissions (open's mode is cut by the umask)
    await file.writeFile(bytes);
    await file.sync();
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await file.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // The rename is durable once the folder's entry is on disk.
  const folder = await open(dirname(path), 'r').catch(() => undefined);
  await folder?.sync().catch(() => undefined);
  await folder?.close();
}
