/** An independent check of the primes job (kept out of the processor module: its exports are processors only). */

/** The number of primes below n, by a sieve: an independent check of the job's answer. */
export function countPrimesBySieve(n: number): number {
  const composite = new Uint8Array(n);
  let count = 0;
  for (let i = 2; i < n; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < n; j += i) composite[j] = 1;
  }
  return count;
}
