import { fuzzSuite } from './suite';

/** The fuzz suite in `npm run test:soak`: 3000 cases over every operation (see suite.ts). */
fuzzSuite(3000);
