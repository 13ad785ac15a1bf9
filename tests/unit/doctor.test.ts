import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnose } from '../../harness/doctor/doctor.js';
import { renderDoctor } from '../../harness/doctor/render-doctor.js';
import { CATALOGUE } from '../../harness/report/catalogue.js';

const savedPath = process.env.PATH;
const dirs: string[] = [];
afterEach(() => {
  process.env.PATH = savedPath;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A PATH with only `sh` on it: nft, tc, ip, conntrack and turnserver are "not installed". */
function barePath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-doctor-'));
  dirs.push(dir);
  fs.symlinkSync('/bin/sh', path.join(dir, 'sh'));
  return dir;
}

describe('doctor', () => {
  it('lists every catalogue row on every pair', () => {
    const d = diagnose();
    expect(new Set(d.rows.map((r) => r.id))).toEqual(new Set(CATALOGUE.map((c) => c.id)));
    expect(new Set(d.rows.map((r) => r.pair))).toEqual(new Set(['chromium→chromium', 'chromium→firefox', 'firefox→firefox']));
    expect(renderDoctor(d)).toContain('This machine');
  });

  it('says what is missing and which rows skip because of it, with the fix', () => {
    const bare = barePath();
    process.env.PATH = bare;
    const d = diagnose({ ...process.env, PATH: bare, TURNSERVER_PATH: '' });
    const fact = (what: string) => d.facts.find((f) => f.what === what)!;
    expect(fact('nft')).toMatchObject({ ok: false, detail: 'apt-get install -y nftables' });
    expect(fact('tc')).toMatchObject({ ok: false, detail: 'apt-get install -y iproute2' });
    const net5 = d.rows.find((r) => r.id === 'NET-5' && r.pair === 'chromium→chromium')!;
    expect(net5.status).toBe('skips');
    expect(net5.reasons.join(' ')).toContain('the `nft` command (apt-get install -y nftables)');
    // NET-1 has a variant on the fault proxy that needs no firewall: it still runs in part.
    expect(d.rows.find((r) => r.id === 'NET-1' && r.pair === 'chromium→chromium')!.status).toBe('partly');
    expect(renderDoctor(d)).toMatch(/MISSING\s+nft\s+apt-get install -y nftables/);
  });

  it('on this machine (root, nft, tc, ip, Chromium, coturn: CI installs them) every row runs on Chromium', () => {
    const d = diagnose();
    expect(d.facts.filter((f) => !f.ok && f.what !== 'firefox' && f.what !== 'conntrack')).toEqual([]);
    expect(d.rows.filter((r) => r.pair === 'chromium→chromium' && r.status !== 'runs')).toEqual([]);
  });
});
