import type { ApiClient } from '../shared/transport';
import type { Lookups } from './lookups';

/** What every Mailchimp operation gets: the key's client and this execution's merge-field lookups. */
export interface McContext {
	client: ApiClient;
	lookups: Lookups;
}
