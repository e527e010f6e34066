import { tagging } from './tagging';

/** Add tags to a member (status active; unknown tags are created). */
export const add = tagging('add');
