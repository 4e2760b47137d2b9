export { ValidationError, describe } from "./validation-error.ts";
export { expectInt } from "./validate.ts";
export { errorMessage } from "./error-message.ts";
