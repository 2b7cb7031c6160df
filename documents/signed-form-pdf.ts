/**
 * The client's copy of a signed form as a PDF: what they were asked, what they
 * answered and the signature that binds them, laid out so a client (or a
 * court) can read it without the portal. It prints the answers exactly as
 * signed and nothing derived from them: scale totals and severity bands are
 * clinical interpretation, which stays with staff.
 */
import { formatDateTime } from '../emails/format';
import type { AnswerValue, FormAnswers } from '../domain/form-answers';
import type { TFormDefinition, TQuestion } from '../domain/form-definition';
import { consentBlocks } from '../domain/consent-text';
import { createPdf, GREY, PdfWriter } from './pdf-text';

export interface SignedFormPdfInput {
  practiceName: string;
  formTitle: string;
  formVersion: number;
  definition: TFormDefinition;
  answers: FormAnswers;
  signature: {
    /** The full name the client typed. */
    signerName: string;
    /** ISO 8601. */
    signedAt: string;
    /** IANA zone of the practice, e.g. 'America/New_York', to print signedAt in. */
    timeZone: string;
    ip: string | null;
    /** 64 hex characters. */
    contentSha256: string;
    /** The sentence the client agreed to. */
    attestation: string;
  };
}

/** The signed form's pages end in a page number only, so less room is kept for the footer than on billing documents. */
const FOOTER_SPACE = 24;
const INDENT = 12;
const NO_ANSWER = '(no answer)';

/** The client's copy of a form they signed: every question with their answer, then the signature block. */
export async function renderSignedFormPdf(input: SignedFormPdfInput): Promise<Uint8Array> {
  const { definition, answers, signature } = input;
  const signedAt = new Date(signature.signedAt);
  if (Number.isNaN(signedAt.getTime())) throw new RangeError('signature.signedAt must be an ISO 8601 date-time');
  // Dating the file from the signature makes the same record render the same
  // bytes. The form's title only: metadata is shown by file browsers and
  // indexed by search tools, so no name or answer of the client's goes there.
  const { doc, regular, bold } = await createPdf({
    title: input.formTitle,
    author: input.practiceName,
    subject: 'Signed form',
    createdAt: signedAt,
  });
  const out = new PdfWriter(doc, FOOTER_SPACE);
  const indented = { indent: INDENT };

  out.text(input.practiceName, { font: bold, size: 10, color: GREY });
  out.text(input.formTitle, { font: bold, size: 18 }, { role: 'H1' });
  out.text(`Version ${input.formVersion}`, { font: regular, size: 10, color: GREY });
  if (definition.description) out.space(6).text(definition.description, { font: regular, size: 10 });
  out.space(8).rule();

  for (const section of definition.sections) {
    out.space(14).keep(40).text(section.title, { font: bold, size: 13 }, { role: 'H2' }).space(2);
    for (const question of section.questions) {
      out.space(8).keep(30).text(question.label, { font: bold, size: 10.5 }, { role: 'H3' });
      const answer = answers[question.id];
      if (question.type === 'consent') {
        for (const block of consentBlocks(question.text)) {
          if (block.kind === 'heading')
            out
              .space(4)
              .keep(30)
              .text(block.text, { font: bold, size: 10 }, { ...indented, role: 'H4' });
          else out.text(block.lines.join('\n'), { font: regular, size: 9.5 }, indented).space(3);
        }
        out.text(answer === true ? 'Agreed' : 'Not agreed', { font: bold, size: 10.5 }, indented);
        continue;
      }
      const { lines, list } = answerLines(question, answer);
      const style = { font: regular, size: 10.5 };
      if (!list) for (const line of lines) out.text(line, style, indented);
      else
        out.group('L', () => {
          for (const line of lines) out.group('LI', () => out.text(line, style, { ...indented, role: 'LBody' }));
        });
    }
  }

  // Keep the signature block (about 120 points high) together on one page.
  out.space(20).keep(130).rule().space(8);
  out.group('Div', () => {
    out.text(`Electronically signed by ${signature.signerName}`, { font: bold, size: 11 });
    out.text(`on ${formatDateTime(signature.signedAt, signature.timeZone)} (${signedAt.toISOString()})`, {
      font: regular,
      size: 10,
    });
    if (signature.ip) out.text(`from IP address ${signature.ip}`, { font: regular, size: 10 });
    out.space(6).text(signature.attestation, { font: regular, size: 9.5 });
    // The hash on a line of its own and small enough never to wrap, so it can
    // be copied from the PDF in one piece and compared with the stored record.
    out.space(6).text('Document fingerprint (SHA-256):', { font: regular, size: 9, color: GREY });
    out.text(signature.contentSha256, { font: regular, size: 9, color: GREY });
  });

  out.footers(regular);
  return out.save();
}

/**
 * The answer as the client would say it, one printed line (or paragraph) per
 * entry; `list` when the entries are a list (choices ticked, a scale's items).
 */
function answerLines(
  question: Exclude<TQuestion, { type: 'consent' }>,
  answer: AnswerValue | undefined,
): { lines: string[]; list: boolean } {
  const single = (line: string) => ({ lines: [line], list: false });
  if (answer === undefined) return single(NO_ANSWER);
  switch (question.type) {
    case 'short_text':
    case 'long_text':
    case 'date':
    case 'single_choice':
      return single(asText(answer));
    case 'yes_no':
      return single(answer === true ? 'Yes' : 'No');
    case 'multiple_choice':
      return Array.isArray(answer)
        ? { lines: answer.map((choice) => `• ${choice}`), list: true }
        : single(asText(answer));
    case 'scale': {
      const picked = typeof answer === 'object' && !Array.isArray(answer) ? answer : {};
      const lines = question.items.map((item) => {
        const value = picked[item.id];
        const option = question.options.find((candidate) => candidate.value === value);
        return `${item.label}: ${option ? `${option.label} (${option.value})` : NO_ANSWER}`;
      });
      return { lines, list: true };
    }
  }
}

/**
 * Answers are checked against the definition before anyone signs, so this
 * only matters for a record the definition no longer matches: a signed copy
 * shows what was stored rather than silently leaving it out.
 */
function asText(answer: AnswerValue): string {
  if (typeof answer === 'string') return answer;
  return Array.isArray(answer) ? answer.join(', ') : JSON.stringify(answer);
}
