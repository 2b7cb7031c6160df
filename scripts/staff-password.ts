/**
 * `npm run staff:password -- <practice-slug> <staff email>`: sets a staff
 * member's dashboard password, read from standard input (so it stays out of
 * the shell history and the process list). The same strength rules as
 * clients' passwords; their open dashboard sessions end.
 */
import { text } from 'node:stream/consumers';
import { z } from 'zod';
import { ConfigError } from '../config/env';
import { createDb } from '../db/client';
import { hashPassword, passwordProblem } from '../security/passwords';
import { runMain } from './run-main';

runMain(async () => {
  const url = z
    .string()
    .regex(/^postgres(ql)?:\/\//)
    .safeParse(process.env.DATABASE_URL);
  if (!url.success) throw new ConfigError(['DATABASE_URL is required (a postgresql:// connection string)']);
  const [slug, email] = process.argv.slice(2);
  if (!slug || !email) {
    process.stderr.write('usage: echo "<password>" | npm run -s staff:password -- <practice-slug> <staff email>\n');
    process.exit(2);
  }
  const password = (await text(process.stdin)).replace(/\r?\n$/, '');
  const problem = passwordProblem(password, [email]);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
  const db = createDb(url.data, { poolMax: 1 });
  try {
    const staff = await db.staffUser.findFirst({
      where: { email: email.trim().toLowerCase(), organization: { slug } },
      select: { id: true },
    });
    if (!staff) {
      process.stderr.write(`no staff member ${email} in practice ${slug}\n`);
      process.exit(1);
    }
    const passwordHash = await hashPassword(password);
    await db.$transaction([
      db.staffUser.update({ where: { id: staff.id }, data: { passwordHash, failedLogins: 0, lockedUntil: null } }),
      db.staffSession.updateMany({
        where: { staffUserId: staff.id, revokedAt: null },
        data: { revokedAt: new Date() },
      }),
    ]);
    process.stdout.write(`password set for ${email}; their open dashboard sessions ended\n`);
  } finally {
    await db.$disconnect();
  }
});
