export declare const DEFAULT_DATABASE_URL: string;
export declare function databaseKind(url: string | undefined): "sqlite" | "postgres";
export declare function sqliteFilePath(url: string, cwd?: string): string;
export declare function postgresConfig(
  url: string,
  database?: string,
): { host: string; port: number; user?: string; password?: string; database: string; ssl?: { rejectUnauthorized: boolean } };
