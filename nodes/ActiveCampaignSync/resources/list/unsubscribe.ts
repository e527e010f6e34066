import { subscription } from './subscription';

/** Unsubscribe a contact from a list (contactLists status 2). */
export const unsubscribe = subscription('unsubscribe', 2);
