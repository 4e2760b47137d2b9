/**
 * The submit form: a processor this master has loaded (GET /api/processors; a
 * master without that route gets a typed name), params and settings as JSON,
 * and an optional instance id (a create-once key). What is wrong is said
 * naming the field, and nothing is sent.
 */
import { h, replace } from "../components/el.ts";
import type { JsonValue } from "../../../../src/protocol/messages.ts";
import { ApiError, type Api, type ProcessorInfo } from "./api.ts";

/** The form, folded until opened. */
export class SubmitForm {
  readonly #processor = h("select", { id: "submit-processor", required: true });
  readonly #typed = h("input", { id: "submit-processor-name", type: "text", placeholder: "processor name", autocomplete: "off", hidden: true });
  readonly #params = h("textarea", { id: "submit-params", rows: 3, spellcheck: false, placeholder: '{"n": 100}  (empty: none)' });
  readonly #settings = h("textarea", { id: "submit-settings", rows: 3, spellcheck: false, placeholder: '{"taskMaxAttempts": 3}  (empty: defaults)' });
  readonly #id = h("input", { id: "submit-id", type: "text", placeholder: "optional: a create-once key", autocomplete: "off" });
  readonly #message = h("p", { id: "submit-message", class: "message" });
  readonly el = h("details", { id: "submit-box", class: "card submit" },
    h("summary", {}, "Submit a job"),
    h("form", { id: "submit-form", onsubmit: (e: Event) => { e.preventDefault(); void this.#submit(); } },
      h("label", {}, h("span", {}, "processor"), this.#processor, this.#typed),
      h("label", {}, h("span", {}, "params (JSON)"), this.#params),
      h("label", {}, h("span", {}, "settings (JSON)"), this.#settings),
      h("label", {}, h("span", {}, "instance id"), this.#id),
      h("div", { class: "buttons" }, h("button", { id: "submit-button", type: "submit", class: "primary" }, "Submit"), this.#message)));

  /**
   * @param onSubmitted called with the new instance's id.
   * @param onError called with a failure of the API (a 401 included).
   */
  constructor(readonly api: Api, readonly onSubmitted: (instanceId: string) => void, readonly onError: (e: unknown) => void) {}

  /** Offers these processors (null: the master does not list them, so a name is typed). */
  setProcessors(list: readonly ProcessorInfo[] | null): void {
    this.#typed.hidden = list !== null;
    this.#processor.hidden = list === null;
    this.#processor.required = list !== null;
    this.#typed.required = list === null;
    if (list === null) return;
    const chosen = this.#processor.value;
    replace(this.#processor, ...list.map((p) => h("option", { value: p.name, selected: p.name === chosen }, `${p.name} (${p.kind})`)));
    if (list.length === 0) replace(this.#processor, h("option", { value: "" }, "no processor loaded (--processors)"));
  }

  async #submit(): Promise<void> {
    const processor = (this.#typed.hidden ? this.#processor.value : this.#typed.value).trim();
    let params: JsonValue | undefined, settings: Record<string, unknown> | undefined;
    try {
      if (!processor) throw new Error("processor: Expected a processor name, got nothing");
      params = parseJson("params", this.#params.value);
      const s = parseJson("settings", this.#settings.value);
      if (s !== undefined && (typeof s !== "object" || s === null || Array.isArray(s))) throw new Error(`settings: Expected a JSON object, got ${JSON.stringify(s)}`);
      settings = s as Record<string, unknown> | undefined;
    } catch (e) {
      return this.#say((e as Error).message, true);
    }
    const body: Parameters<Api["submit"]>[0] = { processor };
    if (params !== undefined) body.params = params;
    if (settings !== undefined) body.settings = settings;
    if (this.#id.value.trim()) body.instanceId = this.#id.value.trim();
    try {
      const id = await this.api.submit(body);
      this.#say(`submitted ${id}`);
      this.onSubmitted(id);
    } catch (e) {
      if (e instanceof ApiError) return this.#say(e.field ? `${e.message} (${e.field})` : e.message, true);
      this.onError(e);
      this.#say(e instanceof Error ? e.message : String(e), true);
    }
  }

  #say(text: string, error = false): void {
    this.#message.textContent = text;
    this.#message.classList.toggle("error", error);
  }
}

/** The JSON of a text field; empty text is undefined. Throws naming the field. */
function parseJson(field: string, text: string): JsonValue | undefined {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new Error(`${field}: Expected JSON, got ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)} (${(e as Error).message})`);
  }
}
