import type { ApiClient } from '../shared/transport';
import type { Lookups } from './lookups';

/** What every ActiveCampaign operation gets: the paced client and this execution's name lookups. */
export interface AcContext {
	client: ApiClient;
	lookups: Lookups;
	/** Told the ids of the contacts each ended bulk import reports imported (created or updated). */
	onImported?: (contactIds: string[]) => void;
}
