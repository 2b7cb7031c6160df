import type { Response } from 'express';

/** Sends a rendered page with its status. */
export function send(res: Response, status: number, body: string): void {
  res.status(status).type('html').send(body);
}
