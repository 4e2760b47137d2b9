// taskmill's hot path: numbers and handles only — no strings, no I/O.
export { init } from "./arena";
export { queuePush, queuePop, queueClear } from "./queue";
export { tableAdmit, tableAssign, tableReport, tableRequeue, tableFail, tableScan } from "./table";
export { countersAdd, countersMove, countersReset } from "./counters";
export { route, routerConfigure } from "./router";
export { limiterSet, limiterTake, limiterNextAt } from "./limiter";
