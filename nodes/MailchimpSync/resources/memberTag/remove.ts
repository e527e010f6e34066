import { tagging } from './tagging';

/** Remove tags from a member (status inactive). */
export const remove = tagging('remove');
