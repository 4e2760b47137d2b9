/**
 * Entry of the master's operations console (bundled to
 * dist/ui/dashboard/dashboard.js, served at the master's /): the submit form,
 * the instances list (filtered, paged, refreshed every few seconds) and the
 * selected instance's panel. The selection lives in the URL hash
 * (#instance=ID) so a reload keeps it.
 */
import { h } from "../components/el.ts";
import { Api, AuthError } from "./api.ts";
import { InstanceList } from "./instance-list.ts";
import { InstancePanel } from "./instance-panel.ts";
import { SubmitForm } from "./submit-form.ts";
import { TokenForm } from "./token-form.ts";

/** Period of the instances list refresh, ms. */
const REFRESH_MS = 2000;

const api = new Api();
const status = h("span", { id: "status", class: "muted", "data-phase": "loading" }, "loading…");
const pick = (id: string) => { location.hash = `instance=${encodeURIComponent(id)}`; };
const list = new InstanceList(api, pick, () => void refresh(true));
const token = new TokenForm(api, () => { void refresh(); void loadProcessors(); void panel.open(selected()); });
const panel = new InstancePanel(api, () => void refresh(true), () => token.ask());
const submit = new SubmitForm(api, (id) => { void refresh(true); pick(id); }, (e) => { if (e instanceof AuthError) token.ask(); });

document.getElementById("app")!.replaceChildren(
  h("header", {}, h("h1", {}, "taskmill"), h("span", { class: "muted" }, `master ${location.host}`), status, token.forget,
    h("a", { id: "to-sim", href: "./sim/", class: "muted" }, "simulation harness →")),
  token.el,
  submit.el,
  h("main", { class: "layout" }, list.el, panel.el));

function selected(): string | null {
  const m = /^#instance=(.+)$/.exec(location.hash);
  return m ? decodeURIComponent(m[1]!) : null;
}

async function loadProcessors(): Promise<void> {
  try {
    const processors = await api.processors();
    submit.setProcessors(processors);
    if (processors) list.setProcessors(processors);
  } catch (e) {
    if (e instanceof AuthError) token.ask();
  }
}

let refreshing = false;
let again = false;
/** Reads the list again; `now`: a filter changed, so a read under way is followed by another. */
async function refresh(now = false): Promise<void> {
  if (refreshing) {
    again ||= now;
    return;
  }
  refreshing = true;
  try {
    const page = await list.refresh();
    status.dataset.phase = "ready";
    const running = page.instances.filter((i) => i.status === "RUNNING").length;
    status.textContent = `${page.instances.length} shown · ${running} running`;
  } catch (e) {
    status.dataset.phase = "error";
    status.textContent = e instanceof Error ? e.message : String(e);
    if (e instanceof AuthError) token.ask();
  } finally {
    refreshing = false;
  }
  if (again) {
    again = false;
    await refresh();
  }
}

function follow(): void {
  const id = selected();
  list.select(id);
  if (id !== panel.instanceId) void panel.open(id);
}

addEventListener("hashchange", follow);
setInterval(() => void refresh(), REFRESH_MS);
void loadProcessors();
void refresh().then(follow);
(globalThis as unknown as { taskmillDashboard: unknown }).taskmillDashboard = { api, list, panel, submit, refresh };
