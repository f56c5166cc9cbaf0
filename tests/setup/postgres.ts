import pg from "pg";
import { postgresConfig } from "../../prisma/database-url.mjs";

/** The database `url` names, quoted for SQL. */
function quotedName(url: string) {
  return `"${postgresConfig(url).database.replaceAll('"', '""')}"`;
}

/** Runs `sql` on the server's `postgres` database, as statements about databases must be. */
async function onServer(url: string, sql: string) {
  const client = new pg.Client(postgresConfig(url, "postgres"));
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Drops a PostgreSQL database (forcing off any connections). */
export async function dropPostgresDatabase(url: string) {
  await onServer(url, `DROP DATABASE IF EXISTS ${quotedName(url)} WITH (FORCE)`);
}

/** Creates the database `to` as a copy of `from` (which nothing may be connected to). */
export async function copyPostgresDatabase(from: string, to: string) {
  await onServer(from, `CREATE DATABASE ${quotedName(to)} TEMPLATE ${quotedName(from)}`);
}

export async function withPostgres<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(postgresConfig(url));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
