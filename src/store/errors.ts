/** A write carried a fencing token that is no longer the instance's: its owner was deposed (X3). */
export class FencedError extends Error {
  override readonly name = "FencedError";
  constructor(readonly instanceId: string, readonly token: number, readonly current: number) {
    super(`instance ${instanceId}: fencing token ${token} is stale (current ${current}); this master no longer owns it`);
  }
}

/** The instance does not exist in the store. */
export class UnknownInstanceError extends Error {
  override readonly name = "UnknownInstanceError";
  constructor(readonly instanceId: string) {
    super(`unknown instance: ${instanceId}`);
  }
}

/** An instance id is already taken. */
export class DuplicateInstanceError extends Error {
  override readonly name = "DuplicateInstanceError";
  constructor(readonly instanceId: string) {
    super(`instance already exists: ${instanceId}`);
  }
}

/** Another master holds the instance's lease, and it has not run out. */
export class LeaseHeldError extends Error {
  override readonly name = "LeaseHeldError";
  constructor(readonly instanceId: string, readonly owner: string, readonly until: number) {
    super(`instance ${instanceId}: its lease is held by ${owner} until ${until}`);
  }
}
