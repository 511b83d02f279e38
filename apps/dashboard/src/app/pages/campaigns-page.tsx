import type { CampaignView } from '@codcall/gateway-api';
import { useEffect, useState } from 'react';
import type { CampaignAction } from '../../lib/dashboard-api';
import { hrefOf } from '../../lib/routes';
import { ErrorNote, formatTime, ProgressBar, Section, StatusCounts, useLoaded } from '../components';
import { useApi } from '../session';

const FINAL_STATES = new Set(['cancelled', 'finished', 'failed']);
/** Live streams the list opens at once; the rest of the active campaigns are shown as last loaded. */
const MAX_FOLLOWED = 6;

/** Every campaign, the active ones kept live by their event streams. */
export function CampaignsPage() {
  const api = useApi();
  const list = useLoaded(() => api.campaigns(), [api]);
  const [views, setViews] = useState<Record<string, CampaignView>>({});
  const [error, setError] = useState<unknown>();

  const campaigns = (list.value?.campaigns ?? []).map((campaign) => views[campaign.campaign_id] ?? campaign);
  const activeIds = campaigns.filter((campaign) => !FINAL_STATES.has(campaign.state)).slice(0, MAX_FOLLOWED).map((campaign) => campaign.campaign_id).join(',');

  useEffect(() => {
    if (!activeIds) return;
    const controller = new AbortController();
    for (const id of activeIds.split(',')) {
      let refresh: ReturnType<typeof setTimeout> | undefined;
      // Counts come from the campaign's view, fetched again (at most twice a second) as its events arrive.
      const update = () => {
        clearTimeout(refresh);
        refresh = setTimeout(() => api.campaign(id).then((view) => !controller.signal.aborted && setViews((all) => ({ ...all, [id]: view })), setError), 500);
      };
      api
        .followEvents(
          id,
          (event) => {
            if (event.type === 'snapshot' || event.type === 'finished') setViews((all) => ({ ...all, [id]: event.campaign }));
            else update();
          },
          controller.signal,
        )
        .catch(setError);
    }
    return () => controller.abort();
  }, [api, activeIds]);

  async function act(id: string, action: CampaignAction) {
    try {
      const view = await api.control(id, action);
      setViews((all) => ({ ...all, [id]: view }));
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <>
      <h1>Campaigns</h1>
      <ErrorNote error={list.error ?? error} />
      <p>
        <a className="button" href={hrefOf({ page: 'new-campaign' })}>
          New campaign
        </a>
      </p>
      {list.value && campaigns.length === 0 && <p>No campaigns yet: upload a call list to start one.</p>}
      <div className="campaign-list">
        {campaigns.map((campaign) => (
          <Section
            key={campaign.campaign_id}
            title={campaign.name}
            actions={<span className={`state state-${campaign.state}`}>{campaign.state}</span>}
          >
            <p className="muted">
              {campaign.file_name} · agent {campaign.agent_id.slice(0, 8)} · {campaign.provider} · created {formatTime(campaign.created_at)}
            </p>
            <ProgressBar done={campaign.rows.done} total={campaign.rows.total} label={`${campaign.name} progress`} />
            <p className="row-counts" data-testid={`rows-${campaign.campaign_id}`}>
              {campaign.rows.done} of {campaign.rows.total} done · {campaign.rows.in_flight} calling · {campaign.rows.pending} to call · {campaign.rows.waiting} waiting
              {campaign.next_due_at ? ` · next due ${formatTime(campaign.next_due_at)}` : ''}
            </p>
            <StatusCounts byStatus={campaign.by_status} />
            {campaign.error && <p className="error">{campaign.error}</p>}
            <CampaignControls campaign={campaign} withLink onAction={(action) => act(campaign.campaign_id, action)} />
          </Section>
        ))}
      </div>
    </>
  );
}

export function CampaignControls({ campaign, onAction, withLink = false }: { campaign: CampaignView; onAction: (action: CampaignAction) => void; withLink?: boolean }) {
  const final = FINAL_STATES.has(campaign.state);
  return (
    <div className="actions">
      {withLink && (
        <a href={hrefOf({ page: 'campaign', campaignId: campaign.campaign_id })} aria-label={`Open the campaign ${campaign.name}`}>
          Open the campaign
        </a>
      )}
      {campaign.state === 'paused' ? (
        <button type="button" onClick={() => onAction('resume')}>
          Resume
        </button>
      ) : (
        <button type="button" disabled={final} onClick={() => onAction('pause')}>
          Pause
        </button>
      )}
      <button type="button" className="danger" disabled={final} onClick={() => onAction('cancel')}>
        Cancel
      </button>
    </div>
  );
}
