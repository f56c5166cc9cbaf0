import pg from "pg";
import { postgresConfig } from "../../prisma/database-url.mjs";

/** Drops a PostgreSQL database (forcing off any connections), via the server's `postgres` database. */
export async function dropPostgresDatabase(url: string) {
  const { database } = postgresConfig(url);
  const client = new pg.Client(postgresConfig(url, "postgres"));
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database.replaceAll('"', '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
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
