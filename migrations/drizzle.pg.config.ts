import { defineConfig } from 'drizzle-kit'

// The PostgreSQL twin's migrations (issue 20): `npm run db:generate:pg` after changing
// src/db/pg/schema.ts (which must change with src/db/schema.ts: test/db/pg-schema-parity.test.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg/schema.ts',
  out: './migrations/pg',
  strict: true
})
