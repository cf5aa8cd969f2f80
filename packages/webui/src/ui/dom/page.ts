import type { ClusterModel } from '../core/cluster-model.js';

/** What every page gets: the live model, and a way to go elsewhere. */
export interface AppContext {
  model: ClusterModel;
  navigate(hash: string): void;
}

/** A mounted page: its element, redrawn by `update` when the model changes, and `dispose` to stop its timers. */
export interface Page {
  root: HTMLElement;
  update?(): void;
  dispose?(): void;
}

/** Builds a page for a route; `params` are the route's path parts after its name, `query` its `?a=b` part. */
export type PageFactory = (ctx: AppContext, params: string[], query: URLSearchParams) => Page;
