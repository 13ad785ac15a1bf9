// `npm start`: coturn + signaling + the app server on loopback, for trying the app by hand.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAppServer } from '../app-under-test/server/app-server.js';
import { launchSignaling } from '../harness/servers/signaling-process.js';
import { externalTurnFromEnv } from '../turn/external.js';
import { launchTurnServer } from '../turn/launcher.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-start-'));
const turn = externalTurnFromEnv() ?? (await launchTurnServer({ workDir: path.join(dir, 'turn') }));
const signaling = await launchSignaling({ logPath: path.join(dir, 'signaling.log'), port: Number(process.env.SIGNALING_PORT ?? 0) });
const app = await startAppServer({
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 4173),
  staticDir: path.join(root, 'dist', 'app'),
  config: () => ({ signalingUrl: signaling.url, iceServers: turn.iceServers('peer', 3600), iceTransportPolicy: 'all' }),
});
console.log(`app:       ${app.url}  (open it, pick a file, open the link it shows in another tab or browser)`);
console.log(`signaling: ${signaling.url}`);
console.log(`turn:      ${turn.urls.udp}`);
console.log('Ctrl-C stops everything.');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await app.close();
  await signaling.stop();
  await turn.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
