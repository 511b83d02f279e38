/** The dashboard's pages, addressed by the URL's hash (the campaign-api serves one index.html). */
export type Route =
  | { page: 'campaigns' }
  | { page: 'new-campaign' }
  | { page: 'campaign'; campaignId: string }
  | { page: 'call'; campaignId: string; callId: string }
  | { page: 'agents' }
  | { page: 'report'; campaignId?: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'campaigns') {
    if (parts[1] === 'new') return { page: 'new-campaign' };
    if (parts[1] && parts[2] === 'calls' && parts[3]) return { page: 'call', campaignId: parts[1], callId: parts[3] };
    if (parts[1]) return { page: 'campaign', campaignId: parts[1] };
  }
  if (parts[0] === 'agents') return { page: 'agents' };
  if (parts[0] === 'report') return { page: 'report', campaignId: parts[1] };
  return { page: 'campaigns' };
}

export function hrefOf(route: Route): string {
  const id = (value: string) => encodeURIComponent(value);
  switch (route.page) {
    case 'campaigns':
      return '#/campaigns';
    case 'new-campaign':
      return '#/campaigns/new';
    case 'campaign':
      return `#/campaigns/${id(route.campaignId)}`;
    case 'call':
      return `#/campaigns/${id(route.campaignId)}/calls/${id(route.callId)}`;
    case 'agents':
      return '#/agents';
    case 'report':
      return route.campaignId ? `#/report/${id(route.campaignId)}` : '#/report';
  }
}
