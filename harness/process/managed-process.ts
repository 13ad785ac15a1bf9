// Moved to lib/process/ (turn/ needs it too); the harness keeps importing it from here.
export * from '../../lib/process/managed-process.js';
