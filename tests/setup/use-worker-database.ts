// Setup file of the integration projects: points the worker's DATABASE_URL at its own copy of the
// project's database before a test file loads. A worker may run several files in one process, so
// the project's own URL is kept to start from.
import { present } from "../support/present";
import { workerDatabaseUrl } from "./worker-database";

process.env.PROJECT_DATABASE_URL ??= present(process.env.DATABASE_URL, "DATABASE_URL");
process.env.DATABASE_URL = workerDatabaseUrl(process.env.PROJECT_DATABASE_URL, Number(process.env.VITEST_POOL_ID));
