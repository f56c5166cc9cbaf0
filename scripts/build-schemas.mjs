// Writes the SQLite and PostgreSQL Prisma schemas from prisma/models.prisma.
// `--check` exits non-zero when a written schema differs from what the models say (drift).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const models = readFileSync(path.join(root, "prisma/models.prisma"), "utf8");

const header = (provider, output) => `// GENERATED from prisma/models.prisma by \`npm run db:schemas\`; edit that file, not this one.
generator client {
  provider     = "prisma-client"
  output       = "../../generated/${output}"
  moduleFormat = "esm"
}

datasource db {
  provider = "${provider}"
}
`;

export function renderSchemas() {
  return {
    "prisma/postgres/schema.prisma": `${header("postgresql", "postgres")}\n${models}`,
    // SQLite has no native types: drop the @db.* attributes and the padding they leave.
    "prisma/sqlite/schema.prisma": `${header("sqlite", "sqlite")}\n${models.replace(/ +@db\.\w+(\([^)]*\))?/g, "")}`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes("--check");
  let drift = false;
  for (const [file, content] of Object.entries(renderSchemas())) {
    const target = path.join(root, file);
    if (check) {
      let current = "";
      try {
        current = readFileSync(target, "utf8");
      } catch {
        // not written yet: it differs
      }
      if (current !== content) { console.error(`${file} is out of date: run npm run db:schemas`); drift = true; }
    } else {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
      console.log(`wrote ${file}`);
    }
  }
  process.exit(drift ? 1 : 0);
}
