/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { hashApi } from './hash-engine.js';

/** The hashing worker: BLAKE3 and chunk frames off the UI thread (hash-engine.ts), over comlink. */
Comlink.expose(hashApi);
