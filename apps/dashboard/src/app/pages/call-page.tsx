import { maskPhone } from '../../lib/phone-mask';
import { hrefOf } from '../../lib/routes';
import { seconds, timelineLines, toolCallLines, transcriptLines, turnLegs } from '../call-detail';
import { ErrorNote, formatTime, Section, useLoaded } from '../components';
import { RecordingPlayer } from '../recording-player';
import { useApi } from '../session';

/**
 * One call, loaded from its own URL (GET /campaigns/:id/calls/:call_id, the link outcome webhooks
 * send): what was said and when, the tools the agent called, the outcome, the recording, the legs of each turn.
 */
export function CallPage({ campaignId, callId }: { campaignId: string; callId: string }) {
  const api = useApi();
  const loaded = useLoaded(() => api.call(campaignId, callId), [api, campaignId, callId]);
  const call = loaded.value;

  if (loaded.error) {
    return (
      <>
        <p>
          <a href={hrefOf({ page: 'campaign', campaignId })}>← Back to the campaign</a>
        </p>
        <ErrorNote error={loaded.error} />
      </>
    );
  }
  if (!call) return <p role="status">Loading the call…</p>;

  const transcript = transcriptLines(call.transcript);
  const tools = toolCallLines(call.tool_calls);
  const timeline = timelineLines(call.timeline);
  const legs = turnLegs(call.turns);
  const outcomeCells: [string, string | undefined][] = [
    ['Status', call.status],
    ['Reschedule date', call.reschedule_date],
    ['Reschedule time', call.reschedule_time],
    ['Call back at', call.callback_at],
    ['New address', call.address_update],
    ['Reason', call.reason],
  ];

  return (
    <>
      <p>
        <a href={hrefOf({ page: 'campaign', campaignId })}>← Back to the campaign</a>
      </p>
      <h1>
        Call to {call.name || maskPhone(call.phone)} {call.order_id ? `(${call.order_id})` : ''}
      </h1>
      <Section title="Outcome">
        <dl className="facts" data-testid="outcome">
          {outcomeCells
            .filter(([, value]) => value)
            .map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          <div>
            <dt>Phone</dt>
            <dd>{maskPhone(call.phone)}</dd>
          </div>
          <div>
            <dt>Attempt</dt>
            <dd>{call.attempt}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatTime(call.started_at)}</dd>
          </div>
          {call.duration_seconds !== undefined && (
            <div>
              <dt>Duration</dt>
              <dd>{call.duration_seconds.toFixed(1)} s</dd>
            </div>
          )}
          {call.tts_characters !== undefined && (
            <div>
              <dt>TTS characters</dt>
              <dd>{call.tts_characters}</dd>
            </div>
          )}
        </dl>
      </Section>
      <Section title="Recording">{call.recording_url ? <RecordingPlayer url={call.recording_url} /> : <p className="muted">No recording is readable for this call.</p>}</Section>
      <div className="two-columns">
        <Section title="Transcript">
          <ol className="transcript" data-testid="transcript">
            {transcript.map((line, index) => (
              <li key={index} className={`turn turn-${line.speaker}`}>
                <span className="at">{seconds(line.atMs)}</span> <strong>{line.speaker}</strong>: {line.text}
              </li>
            ))}
          </ol>
          {tools.length > 0 && (
            <>
              <h3>Tool calls</h3>
              <ul className="tools">
                {tools.map((tool, index) => (
                  <li key={index}>
                    <span className="at">{seconds(tool.atMs)}</span> <code>{tool.name}</code>({tool.arguments}) → {tool.result}
                  </li>
                ))}
              </ul>
            </>
          )}
        </Section>
        <Section title="Timeline">
          <ol className="timeline">
            {timeline.map((entry, index) => (
              <li key={index}>
                <span className="at">{seconds(entry.atMs)}</span> {entry.event}
                {entry.detail ? ` (${entry.detail})` : ''}
              </li>
            ))}
          </ol>
        </Section>
      </div>
      <Section title="Turn latency">
        {legs.length === 0 ? (
          <p className="muted">No answered turns.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Turn at</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Transcript</th>
                  <th scope="col">Model first token</th>
                  <th scope="col">Speech first byte</th>
                  <th scope="col">First frame sent</th>
                  <th scope="col">Total</th>
                </tr>
              </thead>
              <tbody>
                {legs.map((leg, index) => (
                  <tr key={index}>
                    <td>{seconds(leg.atMs)}</td>
                    <td>{leg.resolution ? `${leg.kind} (${leg.resolution})` : leg.kind}</td>
                    <td>{ms(leg.transcriptMs)}</td>
                    <td>{ms(leg.modelMs)}</td>
                    <td>{ms(leg.speechMs)}</td>
                    <td>{ms(leg.sendMs)}</td>
                    <td>
                      <strong>{ms(leg.totalMs)}</strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}

const ms = (value: number | undefined) => (value === undefined ? '—' : `${value} ms`);
