// Read by the Prisma CLI only. The service itself builds its client from
// config/env.ts and applies migrations with `npm run db:migrate`.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/onboarding' },
});
