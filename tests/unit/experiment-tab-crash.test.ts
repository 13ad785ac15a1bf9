import { describe, expect, it } from 'vitest';
import { USABLE_FAULTS, usableNeeds } from '../../harness/experiment/fault-contexts.js';
import { crashTab } from '../../harness/faults/crash-tab.js';
import { killTabProcesses } from '../../harness/faults/kill-tab-processes.js';
import { missingNeeds } from '../../harness/faults/needs.js';

describe('tab-crash in experiments: a tab crash on the target’s own engine', () => {
  const tabCrash = USABLE_FAULTS.get('tab-crash')!;

  it('needs nothing of CDP when the target is Firefox, so a chromium→firefox pair runs it', () => {
    const needs = usableNeeds(tabCrash, 'firefox');
    expect(needs).toEqual(killTabProcesses.needs);
    expect(missingNeeds(needs, { browserName: 'chromium', engines: ['chromium', 'firefox'], turnManaged: true })).toBeUndefined();
  });

  it('is the CDP crash on a Chromium target', () => {
    expect(usableNeeds(tabCrash, 'chromium')).toEqual({});
    expect(tabCrash.browserSide).toBe(true);
  });

  it('crash-tab, named as such, still needs CDP on every engine of the pair (it skips on Firefox pairs)', () => {
    const needs = usableNeeds(USABLE_FAULTS.get('crash-tab')!, 'firefox');
    expect(needs).toEqual(crashTab.needs);
    expect(missingNeeds(needs, { browserName: 'chromium', engines: ['chromium', 'firefox'], turnManaged: true })).toMatch(/Chromium \(this fault uses CDP/);
  });
});
