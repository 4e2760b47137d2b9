export { HttpTransport, type HttpTransportOptions } from "./http-transport.ts";
export { masterApi, type MasterApi, type MasterApiOptions, SubmitBody, KillBody } from "./master-api.ts";
export { masterEndpointApp, workerEndpointApp, type MasterEndpointApp, type WorkerEndpointApp, type EndpointOptions } from "./endpoint-app.ts";
export { MESSAGE_ROUTES } from "./routes.ts";
export { REFUSAL_STATUS } from "./status.ts";
export { openApiDocument } from "./openapi.ts";
export { metricsText } from "./metrics.ts";
export { hostMaster, type HostMasterOptions } from "./host-master.ts";
