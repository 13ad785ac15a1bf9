import fs from 'node:fs';

/** Parent PID from /proc/<pid>/stat; the command name (field 2) may hold spaces or ')', so count from its last ')'. */
function parentPid(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // exited between readdir and read
  }
}

/** Parent PID → child PIDs, for every process alive right now (one scan of /proc). */
export function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentPid(Number(entry));
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  return children;
}

/** `root` and its descendants, breadth first (Chromium: browser → zygotes → renderers, GPU, network…; Firefox: browser → fork server → content processes). */
export function processTree(root: number, children = childrenByParent()): number[] {
  const tree: number[] = [];
  for (const queue = [root]; queue.length > 0; ) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** A process's argv from /proc/<pid>/cmdline (NUL-separated); empty when it is gone. */
export function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}
