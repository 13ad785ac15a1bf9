// Moved to lib/process/ (managed-process records PIDs in it); the harness keeps importing it from here.
export * from '../../lib/process/pid-registry.js';
