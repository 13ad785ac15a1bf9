import { onPath } from '../../harness/faults/needs.js';
import { netnsUnavailable } from '../../harness/netns/needs.js';

/** Why the netns tests cannot run here (printed with their skip), or undefined when they can. */
export function netnsTestUnavailable(): string | undefined {
  return netnsUnavailable() ?? (onPath('ping') ? undefined : 'needs `ping` (apt-get install -y iputils-ping)');
}
