/**
 * Entry of the master's dashboard (bundled to dist/ui/dashboard/dashboard.js,
 * served at the master's /): the instances list, refreshed every few
 * seconds, and the selected instance's panel. The selection lives in the
 * URL hash (#instance=ID) so a reload keeps it.
 */
import { h } from "../components/el.ts";
import { Api, AuthError } from "./api.ts";
import { InstanceList } from "./instance-list.ts";
import { InstancePanel } from "./instance-panel.ts";
import { TokenForm } from "./token-form.ts";

/** Period of the instances list refresh, ms. */
const REFRESH_MS = 2000;

const api = new Api();
const status = h("span", { id: "status", class: "muted", "data-phase": "loading" }, "loading…");
const list = new InstanceList((id) => { location.hash = `instance=${encodeURIComponent(id)}`; });
const token = new TokenForm(api, () => { void refresh(); void panel.open(selected()); });
const panel = new InstancePanel(api, () => void refresh(), () => token.ask());

document.getElementById("app")!.replaceChildren(
  h("header", {}, h("h1", {}, "taskmill"), h("span", { class: "muted" }, `master ${location.host}`), status, token.forget,
    h("a", { href: "./sim/", class: "muted" }, "simulation harness")),
  token.el,
  h("main", { class: "layout" }, list.el, panel.el));

function selected(): string | null {
  const m = /^#instance=(.+)$/.exec(location.hash);
  return m ? decodeURIComponent(m[1]!) : null;
}

let refreshing = false;
async function refresh(): Promise<void> {
  if (refreshing) return;
  refreshing = true;
  try {
    const instances = await api.list();
    list.show(instances);
    status.dataset.phase = "ready";
    status.textContent = `${instances.length} instance${instances.length === 1 ? "" : "s"} · ${instances.filter((i) => i.status === "RUNNING").length} running`;
  } catch (e) {
    status.dataset.phase = "error";
    status.textContent = e instanceof Error ? e.message : String(e);
    if (e instanceof AuthError) token.ask();
  } finally {
    refreshing = false;
  }
}

function follow(): void {
  const id = selected();
  list.select(id);
  if (id !== panel.instanceId) void panel.open(id);
}

addEventListener("hashchange", follow);
setInterval(() => void refresh(), REFRESH_MS);
void refresh().then(follow);
(globalThis as unknown as { taskmillDashboard: unknown }).taskmillDashboard = { api, list, panel, refresh };
