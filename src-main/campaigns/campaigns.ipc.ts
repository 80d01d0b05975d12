// Binds the campaigns channels of the contract to the service. Payloads are already validated by the
// router; expected failures (NOT_FOUND, CONFLICT "only a paused campaign can be resumed") are AppErrors.
import type { Handlers } from '../ipc/router';
import type { CampaignsService } from './campaigns.service';

export function bindCampaigns(campaigns: CampaignsService): Partial<Handlers> {
  return {
    'campaigns:list': ({ workspaceId }) => campaigns.list(workspaceId),
    'campaigns:get': ({ campaignId }) => campaigns.get(campaignId),
    'campaigns:create': (draft) => campaigns.create(draft),
    'campaigns:update': ({ campaignId, draft }) => campaigns.update(campaignId, draft),
    'campaigns:delete': ({ campaignId }) => campaigns.delete(campaignId),
    'campaigns:preflight': ({ campaignId }) => campaigns.preflight(campaignId),
    'campaigns:audience-preview': ({ connectionId, audience }) =>
      campaigns.previewAudience(connectionId, audience),
    'campaigns:start': ({ campaignId }) => campaigns.start(campaignId),
    'campaigns:schedule': ({ campaignId, at }) => campaigns.schedule(campaignId, at),
    'campaigns:pause': ({ campaignId }) => campaigns.pause(campaignId),
    'campaigns:resume': ({ campaignId }) => campaigns.resume(campaignId),
    'campaigns:cancel': ({ campaignId }) => campaigns.cancel(campaignId),
    'campaigns:recipients': (query) => campaigns.recipients(query),
    'campaigns:set-resend-wait': ({ campaignId, unconfirmedResendAfterMs }) =>
      campaigns.setResendWait(campaignId, unconfirmedResendAfterMs),
    'campaigns:resend-unconfirmed': ({ campaignId }) => campaigns.resendUnconfirmed(campaignId),
    'campaigns:retry-capped': ({ campaignId }) => campaigns.retryCapped(campaignId),
    'campaigns:export': ({ campaignId }) => campaigns.exportResults(campaignId),
    'campaigns:retarget': ({ campaignId, which, name }) => campaigns.retarget(campaignId, which, name),
  };
}
