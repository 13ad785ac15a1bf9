#!/usr/bin/env node
// Makes a fresh machine ready to run the harness, or says exactly what is missing.
// - npm dependencies: installed with `npm ci` when node_modules is missing or stale;
// - a Chromium: Playwright's own, CHROMIUM_PATH, or the system's (/usr/bin/chromium);
// - a Firefox (optional): Playwright's own, FIREFOX_PATH, or the system's (/usr/bin/firefox-esr);
// - coturn: `turnserver` on PATH, or TURN_URL + TURN_SECRET for one you run, or a Docker engine;
// - nft / tc / ip for the network faults (optional: those scenarios skip with a reason).
// As root with apt-get, missing system packages are installed; otherwise one clear message.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isRoot = process.getuid?.() === 0;
const say = (msg) => console.log(`ensure-env: ${msg}`);

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function fail(lines) {
  console.error(`\nensure-env: cannot run the harness yet.\n${lines.map((l) => `  - ${l}`).join('\n')}\n`);
  process.exit(1);
}

let aptUpdated = false;
function aptInstall(pkgs) {
  if (!isRoot || !has('apt-get')) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    say('apt-get update');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  say(`apt-get install -y ${pkgs.join(' ')}`);
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
  return true;
}

// 1. npm dependencies
const lock = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules', '.package-lock.json');
const stale = !fs.existsSync(stamp) || (fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(stamp).mtimeMs + 1000);
const linked = fs.lstatSync(path.join(root, 'node_modules'), { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
if (linked && fs.existsSync(path.join(root, 'node_modules', '@playwright', 'test'))) {
  // npm ci empties node_modules first: through a symlink that wipes the tree it points to (another
  // checkout's), under whoever is using it. Leave a linked tree alone; its owner installs it.
  if (stale) say('node_modules is a symlink to another tree: not running npm ci through it (run it where it points if it is stale)');
} else if (!fs.existsSync(path.join(root, 'node_modules', '@playwright', 'test')) || stale) {
  say('installing npm dependencies (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

// 2. a Chromium
async function playwrightChromium() {
  try {
    const { chromium } = await import('@playwright/test');
    const p = chromium.executablePath();
    return fs.existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}
const systemChromium = () => ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));
let browser = process.env.CHROMIUM_PATH || (await playwrightChromium()) || systemChromium();
if (!browser && aptInstall(['chromium'])) browser = systemChromium();
if (!browser) {
  fail([
    'no Chromium found.',
    'Install one: `npx playwright install chromium` (needs internet), or `sudo apt-get install -y chromium`,',
    'or point CHROMIUM_PATH at a Chromium/Chrome binary.',
  ]);
}
say(`browser: ${browser}`);

// 2b. a Firefox, for the Firefox pair projects (optional: without one they skip, saying why)
async function playwrightFirefox() {
  try {
    const { firefox } = await import('@playwright/test');
    const p = firefox.executablePath();
    return fs.existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}
const systemFirefox = () => ['/usr/bin/firefox-esr', '/usr/bin/firefox'].find((p) => fs.existsSync(p));
let firefoxBin = process.env.FIREFOX_PATH || (await playwrightFirefox()) || systemFirefox();
if (!firefoxBin && aptInstall(['firefox-esr'])) firefoxBin = systemFirefox();
say(firefoxBin ? `firefox: ${firefoxBin}` : 'note: no Firefox (`npx playwright install firefox` or `apt-get install -y firefox-esr`): the Firefox pair projects will be skipped, each with its reason');

// 3. coturn
const externalTurn = process.env.TURN_URL && process.env.TURN_SECRET;
const dockerUp = () => has('docker') && spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 }).status === 0;
if (!externalTurn && !has('turnserver') && !process.env.TURNSERVER_PATH) {
  if (!aptInstall(['coturn']) && !dockerUp()) {
    fail([
      'no coturn (`turnserver`) found.',
      'Install it: `sudo apt-get install -y coturn` (Debian/Ubuntu) or `brew install coturn`,',
      'or run coturn yourself and set TURN_URL=turn:127.0.0.1:3478 and TURN_SECRET (see turn/README.md).',
    ]);
  }
}
say(`TURN: ${externalTurn ? `external ${process.env.TURN_URL}` : has('turnserver') ? 'turnserver (coturn) on PATH' : process.env.TURNSERVER_PATH || 'coturn/coturn Docker image'}`);

// 4. tools for the network faults (optional)
const netTools = { nft: 'nftables', tc: 'iproute2', ip: 'iproute2', ping: 'iputils-ping' };
const missingNet = Object.entries(netTools).filter(([cmd]) => !has(cmd));
if (missingNet.length > 0 && !aptInstall([...new Set(missingNet.map(([, pkg]) => pkg))])) {
  say(`note: ${missingNet.map(([c]) => c).join(', ')} missing: network-fault scenarios will be skipped, each with its reason`);
}
if (!isRoot) say('note: not root: scenarios that need root (firewall rules, qdiscs, namespaces) will be skipped, each with its reason');
