import { subscription } from './subscription';

/** Subscribe a contact to a list (contactLists status 1). */
export const subscribe = subscription('subscribe', 1);
