import { useState, type FormEvent } from 'react';
import { DashboardApi, KeyRefusedError } from '../../lib/dashboard-api';
import { messageOf } from '../components';

/** The API key is checked against the campaign-api before the dashboard opens. */
export function SignInPage({ notice, onSignedIn }: { notice?: string; onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const typed = key.trim();
    if (!typed) return setError('Type the API key first.');
    setBusy(true);
    setError(undefined);
    try {
      await new DashboardApi(typed).signIn();
      onSignedIn(typed);
    } catch (caught) {
      setError(caught instanceof KeyRefusedError ? 'That API key was refused (401): check it against CODCALL_API_KEYS.' : messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">codcall operations</h1>
        <p>Sign in with your API key. It stays in this browser tab only, and goes with every request.</p>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <label htmlFor="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" value={key} onChange={(event) => setKey(event.target.value)} autoFocus />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
