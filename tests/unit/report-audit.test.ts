import { describe, expect, it } from 'vitest';
import { auditRows, renderAudit } from '../../harness/report/audit.js';
import { buildScorecard } from '../../harness/report/scorecard.js';

describe('--audit', () => {
  it('lists every row with its faults (registered or not), its tests and the last verdict', () => {
    const last = buildScorecard({ runs: [], durationMs: 0, previous: undefined, vitestRanAtMs: undefined, coverage: new Map([['NET-1', ['tests/e2e/net-1-path-cut.spec.ts']]]) });
    const rows = auditRows(new Set(['turn-proxy-toxics']), new Map([['NET-1', ['tests/e2e/net-1-path-cut.spec.ts']]]), last);
    const net1 = rows.find((r) => r.id === 'NET-1')!;
    expect(net1).toMatchObject({ faultImplemented: 'yes', tests: ['tests/e2e/net-1-path-cut.spec.ts'], lastVerdict: 'not run' });
    expect(net1.faults).toEqual([{ name: 'turn-proxy-toxics', registered: true }, { name: 'net-cut-link', registered: false }]);
    expect(rows.find((r) => r.id === 'BRW-1')!.faultImplemented).toBe('no');
    expect(rows.find((r) => r.id === 'SIG-4')!.faultImplemented).toBe('in the test');
    const text = renderAudit(rows, last);
    expect(text).toContain('| NET-1 | 1 | yes | turn-proxy-toxics, net-cut-link (missing) | tests/e2e/net-1-path-cut.spec.ts | not run |');
    expect(text).toMatch(/no test: NET-2, /);
    expect(text).toMatch(/fault not implemented: NET-2, /);
  });
});
