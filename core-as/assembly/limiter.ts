// Token bucket for dispatch speed (B8). Times are milliseconds (f64).
import { L_RATE, L_BURST, L_TOKENS, L_LAST } from "../shared/constants";
import { limiter } from "./arena";

// @ts-ignore: decorator
@inline function lg(i: i32): f64 { return load<f64>(limiter + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function ls(i: i32, v: f64): void { store<f64>(limiter + (<usize>i << 3), v); }

/** Sets the rate (tokens per ms, 0 = unlimited), bucket capacity and starting tokens. */
export function limiterSet(ratePerMs: f64, burst: f64, tokens: f64, now: f64): void {
  ls(L_RATE, ratePerMs);
  ls(L_BURST, burst);
  ls(L_TOKENS, tokens);
  ls(L_LAST, now);
}

function refill(now: f64): f64 {
  let tokens = lg(L_TOKENS);
  const last = lg(L_LAST);
  if (now > last) {
    tokens += (now - last) * lg(L_RATE);
    const burst = lg(L_BURST);
    if (tokens > burst) tokens = burst;
    ls(L_TOKENS, tokens);
    ls(L_LAST, now);
  }
  return tokens;
}

/** Grants up to `want` tokens at time `now`; returns the number granted. */
export function limiterTake(now: f64, want: i32): i32 {
  if (lg(L_RATE) <= 0) return want;
  const tokens = refill(now);
  const whole = <i32>Math.floor(tokens + 1e-9);
  const k = want < whole ? want : whole;
  ls(L_TOKENS, tokens - <f64>k);
  return k > 0 ? k : 0;
}

/** Time (ms) at which the next whole token is available: `now` if one already is. */
export function limiterNextAt(now: f64): f64 {
  const rate = lg(L_RATE);
  if (rate <= 0) return now;
  const tokens = refill(now);
  if (tokens + 1e-9 >= 1) return now;
  return lg(L_LAST) + (1 - tokens) / rate;
}
