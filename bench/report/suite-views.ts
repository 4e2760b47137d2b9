// Which view shows which suite, and the order suites appear in RESULTS.md.
import type { SuiteView } from "./suite-view.ts";
import { coreView } from "./views/core.ts";
import { storeView } from "./views/store.ts";
import { e2eView } from "./views/e2e.ts";
import { peersView } from "./views/peers.ts";
import { scaleView } from "./views/scale.ts";
import { restartView } from "./views/restart.ts";
import { takeoverView } from "./views/takeover.ts";

/** Suites in report order: the bottom of the stack first; suites not listed follow, by name. */
export const SUITE_ORDER: readonly string[] = ["core", "store", "e2e", "peers", "scale", "restart", "takeover"];

/** The views of known suites, by suite name. */
export const SUITE_VIEWS: Readonly<Record<string, SuiteView>> = {
  core: coreView, store: storeView, e2e: e2eView, peers: peersView, scale: scaleView, restart: restartView, takeover: takeoverView,
};

/** The view of a suite; one with no view of its own shows every field as a column. */
export function viewOf(name: string): SuiteView {
  return SUITE_VIEWS[name] ?? { title: name, columns: [] };
}

/** Suite names in report order. */
export function orderSuites(names: Iterable<string>): string[] {
  const rank = (n: string) => { const i = SUITE_ORDER.indexOf(n); return i === -1 ? SUITE_ORDER.length : i; };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
