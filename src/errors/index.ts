export { ValidationError, describe } from "./validation-error.ts";
export { expectInt } from "./validate.ts";
