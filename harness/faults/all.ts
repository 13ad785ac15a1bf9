// Every fault module, loaded for its registration (registerFault runs when a module loads).
// tests/unit/faults-all.test.ts fails when a module that registers a fault is missing here.
import './background-tab-raw-cdp.js';
import './browser-offline.js';
import './clock-skew.js';
import './corrupt-at-rest.js';
import './corrupt-wire.js';
import './cpu-quota.js';
import './cpu-throttle.js';
import './crash-tab.js';
import './fill-disk.js';
import './kill-browser.js';
import './kill-signaling.js';
import './kill-tab-processes.js';
import './kill-turn.js';
import './mangle-frames.js';
import './mangle-signaling.js';
import './net-block.js';
import './net-cut-link.js';
import './net-shape-link.js';
import './signaling-chaos.js';
import './turn-proxy-block-udp.js';
import './turn-proxy-toxics.js';

export { registeredFaults } from './registry.js';
