import { taskKey, type AgentRecord, type TaskRecord } from '../../core/entities.js';
import { formatMegabytes } from '../../core/resources.js';
import { h, stateClass, table } from '../html.js';
import type { AppContext, Page } from '../page.js';
import { agentUrl, browse, FileTail, sandboxDirectory, type FileEntry } from '../sandbox-files.js';

/**
 * A task's sandbox: stdout and stderr tailed live, and a listing to browse; a file picked from
 * the listing is tailed too. Route: `#/sandbox/<framework id>/<task id>`.
 */
export function sandboxPage(ctx: AppContext, params: string[]): Page {
  const [frameworkId = '', taskId = ''] = params;
  const controller = new AbortController();
  const tails: FileTail[] = [];
  const header = h('p', { class: 'task-info' });
  const listing = h('div', { class: 'listing' });
  const picked = h('div', { class: 'picked' });
  const outputs = h('div', { class: 'tails' });
  const root = h('section', { class: 'page', 'data-page': 'sandbox' }, h('h2', {}, `Sandbox of ${taskId}`), header, outputs, h('h3', {}, 'Files'), listing, picked);

  const task = () => ctx.model.tasks.get(taskKey(frameworkId, taskId));
  const drawHeader = () => {
    const t = task();
    header.replaceChildren(t === undefined ? 'The master does not know this task.'
      : h('span', {}, h('span', { class: stateClass(t.state), 'data-task-state': t.state }, t.state), ` on ${ctx.model.agentOf(t)?.hostname ?? t.agentId}, framework ${t.frameworkId}`));
  };

  let started = false;
  /** Starts reading once the model knows the task and its agent (a link followed before SUBSCRIBED arrives waits for it). */
  const startWhenKnown = () => {
    const t = task();
    const agent = t === undefined ? undefined : ctx.model.agentOf(t);
    if (started || t === undefined || agent === undefined) {
      if (!started) listing.replaceChildren(h('p', { class: 'empty' }, 'Waiting for the master to name this task\'s agent…'));
      return;
    }
    started = true;
    void start(t, agent);
  };

  const start = async (t: TaskRecord, agent: AgentRecord) => {
    const base = agentUrl(agent);
    const directory = await sandboxDirectory(base, t, controller.signal);
    if (controller.signal.aborted) return;
    for (const file of ['stdout', 'stderr']) {
      const tail = new FileTail(base, `${directory}/${file}`, file);
      tails.push(tail);
      outputs.append(tail.root);
    }
    const open = async (path: string) => {
      try {
        const entries = await browse(base, path, controller.signal);
        listing.replaceChildren(h('p', { class: 'path' }, path), table(['Name', 'Size', 'Mode', 'Modified'], [
          ...(path === directory ? [] : [h('tr', {}, h('td', {}, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); void open(parent(path)); } }, '..')), h('td', {}), h('td', {}), h('td', {}))]),
          ...entries.map((entry: FileEntry) => h('tr', { 'data-path': entry.path },
            h('td', {}, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); if (entry.mode.startsWith('d')) void open(entry.path); else pick(entry.path); } }, basename(entry.path))),
            h('td', { class: 'num' }, entry.mode.startsWith('d') ? '' : formatMegabytes(entry.size / (1024 * 1024))),
            h('td', {}, entry.mode), h('td', {}, new Date(entry.mtime * 1000).toLocaleString()))),
        ], 'Empty directory.'));
      } catch (err) {
        if (!controller.signal.aborted) listing.replaceChildren(h('p', { class: 'error' }, `Cannot browse ${path}: ${(err as Error).message}`));
      }
    };
    let pickedTail: FileTail | undefined;
    const pick = (path: string) => {
      pickedTail?.stop();
      pickedTail = new FileTail(base, path, basename(path));
      tails.push(pickedTail);
      picked.replaceChildren(pickedTail.root);
    };
    await open(directory);
  };

  drawHeader();
  startWhenKnown();
  return {
    root,
    update: () => { drawHeader(); startWhenKnown(); },
    dispose: () => {
      controller.abort();
      for (const tail of tails) tail.stop();
    },
  };
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function parent(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}
