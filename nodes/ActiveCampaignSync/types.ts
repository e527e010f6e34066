import type { ApiClient } from '../shared/transport';
import type { Lookups } from './lookups';

/** What every ActiveCampaign operation gets: the paced client and this execution's name lookups. */
export interface AcContext {
	client: ApiClient;
	lookups: Lookups;
}
