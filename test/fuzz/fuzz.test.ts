import { fuzzSuite } from './suite';

/** The fuzz suite in `npm test`: 300 cases over every operation (see suite.ts; FUZZ_CASES, FUZZ_SEED, FUZZ_CASE). */
fuzzSuite(300);
