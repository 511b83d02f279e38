import type { CampaignPreflightView } from '@codcall/gateway-api';
import { useEffect, useMemo, useState, type DragEvent, type FormEvent } from 'react';
import { missingCallListColumns, parseCsvText, rowValues, type CsvTable } from '../../lib/csv-text';
import type { PreflightAnswer } from '../../lib/dashboard-api';
import { maskPhone } from '../../lib/phone-mask';
import { hrefOf } from '../../lib/routes';
import { ErrorNote, messageOf, Section, useLoaded } from '../components';
import { useApi } from '../session';

/** Rows the preview shows; the preflight covers the whole file. */
const PREVIEW_ROWS = 200;

interface Options {
  name: string;
  agent_id: string;
  provider: string;
  window: string;
  days: string;
  max_attempts: string;
  retry_statuses: string;
  retry_after: string;
  cps: string;
  concurrency: string;
}

const OPTION_FIELDS: { field: keyof Options; label: string; hint: string }[] = [
  { field: 'window', label: 'Calling window', hint: 'HH:MM-HH:MM in each callee’s local time' },
  { field: 'days', label: 'Days', hint: 'e.g. mon-sat (callee’s local days)' },
  { field: 'max_attempts', label: 'Attempts per row', hint: 'retries included' },
  { field: 'retry_statuses', label: 'Retry these outcomes', hint: 'comma-separated, e.g. no_answer,busy' },
  { field: 'retry_after', label: 'First retry after (minutes)', hint: '' },
  { field: 'cps', label: 'Calls per second', hint: '' },
  { field: 'concurrency', label: 'Calls at once', hint: '' },
];

/** Drop a CSV, read what the server's preflight says of it, choose the agent and the options, start. */
export function NewCampaignPage() {
  const api = useApi();
  const agents = useLoaded(() => api.agents(), [api]);
  const [csvFile, setCsvFile] = useState<File | undefined>();
  const [callees, setCallees] = useState<File | undefined>();
  const [dnc, setDnc] = useState<File | undefined>();
  const [table, setTable] = useState<CsvTable | undefined>();
  const [options, setOptions] = useState<Options>({ name: '', agent_id: '', provider: '', window: '', days: '', max_attempts: '', retry_statuses: '', retry_after: '', cps: '', concurrency: '' });
  const [preflight, setPreflight] = useState<{ answer?: PreflightAnswer; unsupported?: boolean; error?: unknown; checking: boolean }>({ checking: false });
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<unknown>();
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    if (!options.agent_id && agents.value?.agents[0]) setOptions((before) => ({ ...before, agent_id: agents.value!.agents[0].agent_id }));
  }, [agents.value, options.agent_id]);

  useEffect(() => {
    if (!csvFile) return setTable(undefined);
    let current = true;
    csvFile.text().then((text) => current && setTable(parseCsvText(text, PREVIEW_ROWS)));
    return () => {
      current = false;
    };
  }, [csvFile]);

  const form = useMemo(() => {
    if (!csvFile) return undefined;
    const data = new FormData();
    data.append('csv', csvFile, csvFile.name);
    if (callees) data.append('simulate', callees, callees.name);
    if (dnc) data.append('dnc', dnc, dnc.name);
    for (const [field, value] of Object.entries(options)) if (value.trim()) data.append(field, value.trim());
    return data;
  }, [csvFile, callees, dnc, options]);

  // The authoritative check: the campaign-api reads the file as POST /campaigns would, and dials nobody.
  useEffect(() => {
    if (!form || !options.agent_id) return;
    // A change of file or option asks again; the answer to the older question is dropped.
    const controller = new AbortController();
    setPreflight({ checking: true });
    const timer = setTimeout(() => {
      api.preflight(form, controller.signal).then(
        (answer) => !controller.signal.aborted && setPreflight(answer ? { answer, checking: false } : { unsupported: true, checking: false }),
        (error: unknown) => !controller.signal.aborted && setPreflight({ error, checking: false }),
      );
    }, 400);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [api, form, options.agent_id]);

  async function start(event: FormEvent) {
    event.preventDefault();
    if (!form) return;
    setStarting(true);
    setStartError(undefined);
    try {
      const created = await api.createCampaign(form);
      location.hash = hrefOf({ page: 'campaign', campaignId: created.campaign_id });
    } catch (error) {
      setStartError(error);
    } finally {
      setStarting(false);
    }
  }

  function drop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) setCsvFile(file);
  }

  const missing = table ? missingCallListColumns(table.headers) : [];
  const flags = flagsByLine(preflight.answer?.preflight);
  const ready = !!form && !!options.agent_id && !preflight.checking && !preflight.error && missing.length === 0;

  return (
    <form onSubmit={start}>
      <h1>New campaign</h1>
      <ErrorNote error={agents.error} />
      <Section title="Call list">
        <div className={`drop ${dragging ? 'dragging' : ''}`} onDragOver={(event) => (event.preventDefault(), setDragging(true))} onDragLeave={() => setDragging(false)} onDrop={drop}>
          <label htmlFor="csv-file">Call list (CSV): drop it here or choose it</label>
          <input id="csv-file" type="file" accept=".csv,text/csv" onChange={(event) => setCsvFile(event.target.files?.[0])} />
        </div>
        <div className="grid">
          <label>
            Scripted callees for the simulator (JSON, optional)
            <input type="file" accept=".json,application/json" onChange={(event) => setCallees(event.target.files?.[0])} />
          </label>
          <label>
            Do-not-call numbers (one per line, optional)
            <input type="file" accept=".txt,text/plain" onChange={(event) => setDnc(event.target.files?.[0])} />
          </label>
        </div>
      </Section>
      <Section title="Agent and options">
        <div className="grid">
          <label>
            Agent
            <select required value={options.agent_id} onChange={(event) => setOptions({ ...options, agent_id: event.target.value })}>
              {(agents.value?.agents ?? []).map((agent) => (
                <option key={agent.agent_id} value={agent.agent_id}>
                  {agent.agent_name} ({agent.agent_id.slice(0, 8)})
                </option>
              ))}
            </select>
          </label>
          <label>
            Name
            <input value={options.name} placeholder={csvFile?.name ?? ''} onChange={(event) => setOptions({ ...options, name: event.target.value })} />
          </label>
          <label>
            Carrier
            <select value={options.provider} onChange={(event) => setOptions({ ...options, provider: event.target.value })}>
              <option value="">{callees ? 'sim (scripted callees given)' : 'twilio (default)'}</option>
              <option value="twilio">twilio</option>
              <option value="plivo">plivo</option>
              <option value="sim">sim</option>
            </select>
          </label>
          {OPTION_FIELDS.map(({ field, label, hint }) => (
            <label key={field}>
              {label}
              <input value={options[field]} placeholder={hint} onChange={(event) => setOptions({ ...options, [field]: event.target.value })} />
            </label>
          ))}
        </div>
        <p className="muted">Empty options take the CLI’s defaults (and the agent’s retry policy).</p>
      </Section>
      {table && (
        <Section title="Preview">
          {missing.length > 0 && <p className="error">The file has no {missing.join(', ')} column{missing.length > 1 ? 's' : ''}: the campaign-api will refuse it.</p>}
          <Preflight state={preflight} />
          <div className="table-wrap">
            <table className="rows" aria-label="Rows of the call list">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Order</th>
                  <th scope="col">Name</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Status</th>
                  <th scope="col">Language</th>
                  <th scope="col">Preflight</th>
                </tr>
              </thead>
              <tbody>
                {table.rows.map(({ line, cells }) => {
                  const values = rowValues(table, cells);
                  const rowFlags = flags.get(line) ?? [];
                  return (
                    <tr key={line} data-line={line} className={rowFlags.length ? 'flagged' : undefined}>
                      <td>{line}</td>
                      <td>{values['order_id']}</td>
                      <td>{values['name']}</td>
                      <td>{maskPhone(values['recipient_phone_number'])}</td>
                      <td>{values['status']}</td>
                      <td>{values['language']}</td>
                      <td>{rowFlags.join('; ')}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {table.truncated && <p className="muted">The first {PREVIEW_ROWS} rows are shown; the preflight covers them all.</p>}
        </Section>
      )}
      <ErrorNote error={startError} />
      <p className="actions">
        <button type="submit" disabled={!ready || starting}>
          {starting ? 'Starting…' : 'Start the campaign'}
        </button>
      </p>
    </form>
  );
}

function Preflight({ state }: { state: { answer?: PreflightAnswer; unsupported?: boolean; error?: unknown; checking: boolean } }) {
  if (state.checking) return <p role="status">The campaign-api is checking the file…</p>;
  if (state.error) return <p className="error" role="alert">The campaign-api refused the file: {messageOf(state.error)}</p>;
  if (state.unsupported) return <p className="notice">This campaign-api has no preflight route: the file is checked when the campaign starts.</p>;
  if (!state.answer) return null;
  const { preflight, rows } = state.answer;
  const items = [
    `${rows} rows`,
    `${preflight.invalid_numbers.length} invalid numbers`,
    `${preflight.unknown_statuses.length} unknown statuses`,
    `${preflight.duplicates.length} duplicate groups`,
    `${preflight.already_final} already final`,
    `${preflight.unknown_languages.length} unknown languages`,
  ];
  return (
    <div className="preflight" role="status" aria-label="Preflight">
      <p>
        <strong>Preflight:</strong> {items.join(' · ')}
      </p>
      <ul>
        {preflight.invalid_numbers.map((item) => (
          <li key={`n${item.line}`}>
            Line {item.line}: invalid number: {item.reason}
          </li>
        ))}
        {preflight.unknown_statuses.map((item) => (
          <li key={`s${item.line}`}>
            Line {item.line}: unknown status “{item.status}” (not dialled, not overwritten)
          </li>
        ))}
        {preflight.duplicates.map((group) => (
          <li key={`d${group.lines.join(',')}`}>Lines {group.lines.join(', ')}: the same number</li>
        ))}
        {preflight.unknown_languages.map((item) => (
          <li key={`l${item.line}`}>
            Line {item.line}: unknown language “{item.language}”
          </li>
        ))}
      </ul>
    </div>
  );
}

function flagsByLine(preflight: CampaignPreflightView | undefined): Map<number, string[]> {
  const flags = new Map<number, string[]>();
  const add = (line: number, flag: string) => flags.set(line, [...(flags.get(line) ?? []), flag]);
  if (!preflight) return flags;
  for (const item of preflight.invalid_numbers) add(item.line, `invalid number: ${item.reason}`);
  for (const item of preflight.unknown_statuses) add(item.line, `unknown status “${item.status}”`);
  for (const group of preflight.duplicates) for (const line of group.lines) add(line, 'duplicate number');
  for (const item of preflight.unknown_languages) add(item.line, `unknown language “${item.language}”`);
  return flags;
}
