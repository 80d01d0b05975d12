// The campaigns section: the list (#/campaigns), the create wizard (#/campaigns/new) and a campaign's
// detail page (#/campaigns/<id>). Sub-routes live in the hash like the sections, so they survive reloads.
import { useEffect, useState } from 'react';
import { CampaignDetail } from './CampaignDetail';
import { CampaignList } from './CampaignList';
import { CampaignWizard } from './CampaignWizard';
import './campaigns.css';

function subRoute(): string {
  return location.hash.replace(/^#\/?campaigns\/?/, '').split('?')[0] ?? '';
}

/** `id` is a campaign id, or 'new' for the wizard, or null for the list. */
export function openCampaign(id: string | null): void {
  location.hash = id === null ? '#/campaigns' : `#/campaigns/${id}`;
}

export function CampaignsScreen() {
  const [route, setRoute] = useState(subRoute);
  useEffect(() => {
    const onChange = (): void => setRoute(subRoute());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  if (route === 'new') return <CampaignWizard />;
  if (route) return <CampaignDetail campaignId={route} />;
  return <CampaignList />;
}
