// Features other parts of harvest mount on the HTTP server (events API, GitHub webhooks): append
// one entry each. `harvest serve` and `harvest run` mount them all.
import type { HttpFeature } from './server.ts';
import { eventsApiFeature } from './events-api.ts';
import { githubWebhooksFeature } from './github-webhooks-feature.ts';

export const HTTP_FEATURES: HttpFeature[] = [eventsApiFeature(), githubWebhooksFeature()];
