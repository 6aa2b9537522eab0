// The style rule "no cycles between folders", checked: src/'s folders, with an edge A → B
// when a file in A imports one in B, form a graph without cycles (so each folder can be read,
// tested and reused with only the folders below it).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const SRC = path.resolve('src');

function folderEdges(): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const dir = entry.parentPath ?? entry.path;
    const from = path.relative(SRC, dir) || '.';
    const text = readFileSync(path.join(dir, entry.name), 'utf8');
    for (const m of text.matchAll(/from '(\.\.?\/[^']+)'/g)) {
      const to = path.relative(SRC, path.dirname(path.resolve(dir, m[1]))) || '.';
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
  }
  return edges;
}

/** A cycle as a list of folders, or null. */
function findCycle(edges: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of edges.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

test('no import cycles between the folders of src/', () => {
  const edges = folderEdges();
  assert.ok(edges.get('cli')?.has('train'), 'the scan sees imports (cli → train)');
  const cycle = findCycle(edges);
  assert.equal(cycle, null, `folder cycle: ${cycle?.join(' → ')}`);
});

test('the cycle finder finds a cycle', () => {
  assert.deepEqual(findCycle(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]])), ['a', 'b', 'c', 'a']);
});
