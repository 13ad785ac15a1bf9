import type { AppUnderTest } from './app-under-test.js';
import { HarnessError } from './errors.js';

/** The `appUnderTest` option, or an error saying how to set it: a suite without an app cannot transfer. */
export function requireApp(app: AppUnderTest | undefined): AppUnderTest {
  if (app !== undefined) return app;
  throw new HarnessError('ERR_CONFIG', 'no app under test: the appUnderTest option is unset', {
    hint: "Set `use: { appUnderTest: myApp }` in playwright.config.ts (or test.use): an AppUnderTest with serve() and adapter(), see harness/app-under-test.ts.",
  });
}
