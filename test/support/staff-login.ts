import type { Db } from '../../db/client';
import { hashPassword } from '../../security/passwords';

export const STAFF_PASSWORD = 'tidal marble juniper forty';

/** Gives a staff member a dashboard password (hashing is slow on purpose, so only tests that sign in pay for it). */
export async function setStaffPassword(db: Db, staffUserId: string, password = STAFF_PASSWORD): Promise<string> {
  const { email } = await db.staffUser.update({
    where: { id: staffUserId },
    data: { passwordHash: await hashPassword(password) },
    select: { email: true },
  });
  return email;
}

/** A cookie jar for one signed-in staff member, driving the dashboard's plain HTML forms over fetch. */
export class StaffPages {
  private cookies = new Map<string, string>();
  /** Sent with every request, e.g. X-Forwarded-For to play a client at another address. */
  headers: Record<string, string> = {};

  constructor(private readonly baseUrl: string) {}

  private remember(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = pair!.split('=');
      this.cookies.set(name!.trim(), value.join('='));
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(path: string): Promise<{ response: Response; html: string }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: { ...this.headers, cookie: this.cookieHeader() },
      redirect: 'manual',
    });
    this.remember(response);
    return { response, html: await response.text() };
  }

  /** Posts a form the way a browser would, with the CSRF field of the page it came from. */
  async post(
    path: string,
    fields: Record<string, string>,
    fromPage = path,
  ): Promise<{ response: Response; html: string }> {
    const page = await this.get(fromPage);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader() },
      body: new URLSearchParams({ _csrf: csrf, ...fields }),
      redirect: 'manual',
    });
    this.remember(response);
    return { response, html: await response.text() };
  }

  /** Posts exactly these fields, with the session cookie but no CSRF field unless given: a forged form. */
  async postRaw(path: string, fields: Record<string, string>): Promise<Response> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader() },
      body: new URLSearchParams(fields),
      redirect: 'manual',
    });
    await response.arrayBuffer();
    return response;
  }

  async signIn(orgSlug: string, email: string, password = STAFF_PASSWORD): Promise<Response> {
    const { response } = await this.post(`/staff/${orgSlug}/login`, { email, password });
    return response;
  }
}
