/**
 * Asks for the master's bearer token when the API answers 401; the token is
 * kept in sessionStorage (this tab only) by the Api.
 */
import { h } from "../components/el.ts";
import type { Api } from "./api.ts";

/** The token prompt, hidden until needed, and the "forget token" link. */
export class TokenForm {
  readonly #input = h("input", { id: "token", type: "password", placeholder: "bearer token", autocomplete: "off", required: true });
  readonly #why = h("span", { class: "muted" });
  readonly el = h("form", { id: "token-form", class: "card token", hidden: true, onsubmit: (e: Event) => { e.preventDefault(); this.#submit(); } },
    h("label", {}, "This master requires a token: ", this.#input), " ", h("button", { type: "submit" }, "Use token"), " ", this.#why);
  readonly forget = h("button", { id: "forget-token", type: "button", class: "link", hidden: true, onclick: () => { this.api.setToken(null); this.#sync(); this.onToken(); } }, "forget token");

  /** @param onToken called once a token is entered (or forgotten): reload. */
  constructor(readonly api: Api, readonly onToken: () => void) {
    this.#sync();
  }

  /** Shows the prompt (after a 401). */
  ask(why = "the master refused the request"): void {
    this.#why.textContent = this.api.token ? `${why}: the token kept for this tab was refused` : "";
    this.el.hidden = false;
    this.#input.focus();
  }

  #submit(): void {
    const t = this.#input.value.trim();
    if (!t) return;
    this.api.setToken(t);
    this.#input.value = "";
    this.el.hidden = true;
    this.#sync();
    this.onToken();
  }

  #sync(): void {
    this.forget.hidden = !this.api.token;
  }
}
