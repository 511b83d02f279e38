import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../../lib/dashboard-api';
import { hrefOf } from '../../lib/routes';
import { AGENT_FORM_FIELDS, agentJsonOf, errorsByField, formValuesOf, testCallFiles, type AgentFormField, type AgentFormValues } from '../agent-form';
import { ErrorNote, formatTime, messageOf, Section, useLoaded } from '../components';
import { useApi } from '../session';

const LABELS: Record<AgentFormField, string> = {
  name: 'Name',
  language: 'Language',
  welcome: 'Welcome message',
  prompt: 'Prompt',
  voice: 'Voice',
  retryMaxAttempts: 'Retry: attempts per row',
  retryStatuses: 'Retry: outcomes to retry (comma-separated)',
  retrySpacing: 'Retry: minutes before the first retry',
};

interface Refusal {
  message: string;
  fields: Partial<Record<AgentFormField, string[]>>;
  general: string[];
}

function refusalOf(error: unknown): Refusal {
  if (error instanceof ApiError) return { message: messageOf(error), ...errorsByField(error.fieldErrors) };
  return { message: messageOf(error), fields: {}, general: [] };
}

/** The agents on agent-api: list, create from JSON or a form, and a test call in the simulator. */
export function AgentsPage() {
  const api = useApi();
  const list = useLoaded(() => api.agents(), [api]);
  const agents = list.value?.agents ?? [];
  const [templateId, setTemplateId] = useState('');
  const template = useLoaded(() => (templateId ? api.agent(templateId) : Promise.resolve(undefined)), [api, templateId]);
  const [values, setValues] = useState<AgentFormValues | undefined>();
  const [json, setJson] = useState('');
  const [refusal, setRefusal] = useState<Refusal | undefined>();
  const [created, setCreated] = useState<string | undefined>();

  useEffect(() => {
    if (!templateId && agents[0]) setTemplateId(agents[0].agent_id);
  }, [agents, templateId]);
  useEffect(() => {
    if (template.value) {
      setValues(formValuesOf(template.value));
      setJson(JSON.stringify(template.value, null, 2));
    }
  }, [template.value]);

  async function create(body: unknown) {
    setRefusal(undefined);
    setCreated(undefined);
    try {
      const answer = await api.createAgent(body);
      setCreated(answer.agent_id);
      list.reload();
    } catch (error) {
      setRefusal(refusalOf(error));
    }
  }

  function createFromForm(event: FormEvent) {
    event.preventDefault();
    if (values) void create(agentJsonOf(template.value, values));
  }

  function createFromJson(event: FormEvent) {
    event.preventDefault();
    try {
      void create(JSON.parse(json));
    } catch (error) {
      setRefusal({ message: `That is not JSON: ${(error as Error).message}`, fields: {}, general: [] });
    }
  }

  return (
    <>
      <h1>Agents</h1>
      <ErrorNote error={list.error ?? template.error} />
      <Section title="Agents on agent-api">
        {agents.length === 0 ? (
          <p>No agents yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Agent id</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {agents.map((agent) => (
                  <tr key={agent.agent_id}>
                    <td>{agent.agent_name}</td>
                    <td>
                      <code>{agent.agent_id}</code>
                    </td>
                    <td>{formatTime(agent.updated_at ?? agent.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {created && (
        <p className="notice" role="status">
          Agent created: <code>{created}</code>
        </p>
      )}
      {refusal && (
        <div className="error" role="alert">
          <p>agent-api refused the agent: {refusal.message}</p>
          {refusal.general.length > 0 && (
            <ul>
              {refusal.general.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="two-columns">
        <Section title="New agent from a form">
          <form onSubmit={createFromForm}>
            <label>
              Start from
              <select value={templateId} onChange={(event) => setTemplateId(event.target.value)}>
                {agents.map((agent) => (
                  <option key={agent.agent_id} value={agent.agent_id}>
                    {agent.agent_name}
                  </option>
                ))}
              </select>
            </label>
            {values &&
              (Object.keys(AGENT_FORM_FIELDS) as AgentFormField[]).map((field) => {
                const errors = refusal?.fields[field] ?? [];
                const id = `agent-${field}`;
                const Input = field === 'prompt' || field === 'welcome' ? 'textarea' : 'input';
                return (
                  <div key={field} className="field">
                    <label htmlFor={id}>{LABELS[field]}</label>
                    <Input id={id} value={values[field]} rows={field === 'prompt' ? 6 : 2} aria-invalid={errors.length > 0} aria-describedby={errors.length ? `${id}-error` : undefined} onChange={(event: { target: { value: string } }) => setValues({ ...values, [field]: event.target.value })} />
                    {errors.length > 0 && (
                      <p id={`${id}-error`} className="field-error">
                        {errors.join('; ')}
                      </p>
                    )}
                  </div>
                );
              })}
            {!values && agents.length === 0 && <p className="muted">The form starts from an existing agent; create the first one from JSON.</p>}
            <button type="submit" disabled={!values}>
              Create the agent
            </button>
          </form>
        </Section>
        <Section title="New agent from JSON">
          <form onSubmit={createFromJson}>
            <label htmlFor="agent-json">Agent JSON (Bolna’s format, as POST /agent takes it)</label>
            <textarea id="agent-json" rows={16} value={json} spellCheck={false} onChange={(event) => setJson(event.target.value)} />
            <button type="submit">Create the agent from JSON</button>
          </form>
        </Section>
      </div>
      <TestCall agents={agents.map((agent) => ({ id: agent.agent_id, name: agent.agent_name }))} />
    </>
  );
}

/** A test call: a one-row campaign on the simulator carrier, the callee saying the lines typed here. */
function TestCall({ agents }: { agents: { id: string; name: string }[] }) {
  const api = useApi();
  const [agentId, setAgentId] = useState('');
  const [lines, setLines] = useState('Yes, speaking.\nYes, please deliver it.');
  const [phone, setPhone] = useState('+15551234567');
  const [error, setError] = useState<unknown>();
  const chosen = agentId || agents[0]?.id || '';

  async function call(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    const files = testCallFiles({ name: 'Test Callee', phone: phone.trim(), orderId: 'TEST001', lines: lines.split('\n').map((line) => line.trim()).filter(Boolean) });
    const form = new FormData();
    form.append('csv', new Blob([files.csv], { type: 'text/csv' }), 'test-call.csv');
    form.append('simulate', new Blob([files.callees], { type: 'application/json' }), 'callees.json');
    form.append('agent_id', chosen);
    form.append('provider', 'sim');
    form.append('name', 'Test call');
    form.append('window', '00:00-24:00');
    form.append('max_attempts', '1');
    try {
      const created = await api.createCampaign(form);
      location.hash = hrefOf({ page: 'campaign', campaignId: created.campaign_id });
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <Section title="Test call in the simulator">
      <form onSubmit={call} className="grid">
        <label>
          Agent
          <select value={chosen} onChange={(event) => setAgentId(event.target.value)}>
            {agents.map((agent) => (
              <option key={agent.id} value={agent.id}>
                {agent.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Callee’s number (simulated)
          <input value={phone} onChange={(event) => setPhone(event.target.value)} />
        </label>
        <label className="wide">
          What the callee says, one line per turn
          <textarea rows={4} value={lines} onChange={(event) => setLines(event.target.value)} />
        </label>
        <ErrorNote error={error} />
        <button type="submit" disabled={!chosen}>
          Place the test call
        </button>
      </form>
    </Section>
  );
}
