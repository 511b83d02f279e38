import { useCallback, useEffect, useMemo, useState } from 'react';
import { DashboardApi } from '../lib/dashboard-api';
import { hrefOf, parseRoute, type Route } from '../lib/routes';
import { AgentsPage } from './pages/agents-page';
import { CallPage } from './pages/call-page';
import { CampaignPage } from './pages/campaign-page';
import { CampaignsPage } from './pages/campaigns-page';
import { NewCampaignPage } from './pages/new-campaign-page';
import { ReportPage } from './pages/report-page';
import { SignInPage } from './pages/sign-in-page';
import { ApiContext, forgetKey, savedKey, saveKey } from './session';

const REFUSED = 'Your API key was refused (401). Sign in again with a key from CODCALL_API_KEYS.';

export function DashboardApp() {
  const [key, setKey] = useState<string | null>(() => savedKey());
  const [notice, setNotice] = useState<string | undefined>();
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const signOut = useCallback((message?: string) => {
    forgetKey();
    setKey(null);
    setNotice(message);
  }, []);
  const api = useMemo(() => (key ? new DashboardApi(key, () => signOut(REFUSED)) : null), [key, signOut]);

  if (!api) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(accepted) => {
          saveKey(accepted);
          setNotice(undefined);
          setKey(accepted);
        }}
      />
    );
  }
  return (
    <ApiContext.Provider value={api}>
      <header className="top">
        <a className="brand" href={hrefOf({ page: 'campaigns' })}>
          codcall
        </a>
        <nav aria-label="Pages">
          <NavLink route={{ page: 'campaigns' }} current={route} label="Campaigns" />
          <NavLink route={{ page: 'new-campaign' }} current={route} label="New campaign" />
          <NavLink route={{ page: 'agents' }} current={route} label="Agents" />
          <NavLink route={{ page: 'report' }} current={route} label="Report" />
        </nav>
        <button type="button" className="quiet" onClick={() => signOut('You signed out.')}>
          Sign out
        </button>
      </header>
      <main id="main">{page(route)}</main>
    </ApiContext.Provider>
  );
}

function page(route: Route) {
  switch (route.page) {
    case 'campaigns':
      return <CampaignsPage />;
    case 'new-campaign':
      return <NewCampaignPage />;
    case 'campaign':
      return <CampaignPage key={route.campaignId} campaignId={route.campaignId} />;
    case 'call':
      return <CallPage key={route.callId} campaignId={route.campaignId} callId={route.callId} />;
    case 'agents':
      return <AgentsPage />;
    case 'report':
      return <ReportPage key={route.campaignId ?? ''} campaignId={route.campaignId} />;
  }
}

function NavLink({ route, current, label }: { route: Route; current: Route; label: string }) {
  const active = route.page === current.page || (route.page === 'campaigns' && (current.page === 'campaign' || current.page === 'call'));
  return (
    <a href={hrefOf(route)} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
}
