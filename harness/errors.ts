// Moved to lib/ (shared with signaling/ and turn/); the harness keeps importing it from here.
export * from '../lib/errors.js';
