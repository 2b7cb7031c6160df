/**
 * The client's copy of a signed form as a PDF: what they were asked, what they
 * answered and the signature that binds them, laid out so a client (or a
 * court) can read it without the portal. It prints the answers exactly as
 * signed and nothing derived from them: scale totals and severity bands are
 * clinical interpretation, which stays with staff.
 */
import { PDFDocument, type PDFFont, type PDFPage, type RGB, StandardFonts, rgb } from 'pdf-lib';
import { describePdf } from './pdf-accessibility';
import { formatDateTime } from '../emails/format';
import type { AnswerValue, FormAnswers } from '../domain/form-answers';
import type { TFormDefinition, TQuestion } from '../domain/form-definition';
import { consentBlocks } from '../domain/consent-text';
import { winAnsi, wrap } from './pdf-text';

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

// US Letter, in points, with 3/4-inch margins.
const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN = 54;
const FOOTER_SPACE = 24;
const INDENT = 12;
const NO_ANSWER = '(no answer)';
const GREY = rgb(0.4, 0.4, 0.4);
const BLACK = rgb(0, 0, 0);

interface Style {
  font: PDFFont;
  size: number;
  color?: RGB;
}

/** The client's copy of a form they signed: every question with their answer, then the signature block. */
export async function renderSignedFormPdf(input: SignedFormPdfInput): Promise<Uint8Array> {
  const { definition, answers, signature } = input;
  const signedAt = new Date(signature.signedAt);
  if (Number.isNaN(signedAt.getTime())) throw new RangeError('signature.signedAt must be an ISO 8601 date-time');
  // Without updateMetadata: false pdf-lib stamps the current time and its own
  // name; dating the file from the signature makes the same record render the same bytes.
  const doc = await PDFDocument.create({ updateMetadata: false });
  // The form's title only: metadata is shown by file browsers and indexed by
  // search tools, so no name or answer of the client's goes there.
  describePdf(doc, { title: input.formTitle, author: input.practiceName, subject: 'Signed form' });
  doc.setCreationDate(signedAt);
  doc.setModificationDate(signedAt);

  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const out = new PageWriter(doc);

  out.text(input.practiceName, { font: bold, size: 10, color: GREY });
  out.text(input.formTitle, { font: bold, size: 18 });
  out.text(`Version ${input.formVersion}`, { font: regular, size: 10, color: GREY });
  if (definition.description) out.space(6).text(definition.description, { font: regular, size: 10 });
  out.space(8).rule();

  for (const section of definition.sections) {
    out.space(14).keep(40).text(section.title, { font: bold, size: 13 }).space(2);
    for (const question of section.questions) {
      out.space(8).keep(30).text(question.label, { font: bold, size: 10.5 });
      const answer = answers[question.id];
      if (question.type === 'consent') {
        for (const block of consentBlocks(question.text)) {
          if (block.kind === 'heading') out.space(4).keep(30).text(block.text, { font: bold, size: 10 }, INDENT);
          else out.text(block.lines.join('\n'), { font: regular, size: 9.5 }, INDENT).space(3);
        }
        out.text(answer === true ? 'Agreed' : 'Not agreed', { font: bold, size: 10.5 }, INDENT);
        continue;
      }
      for (const line of answerLines(question, answer)) out.text(line, { font: regular, size: 10.5 }, INDENT);
    }
  }

  // Keep the signature block (about 120 points high) together on one page.
  out.space(20).keep(130).rule().space(8);
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

  out.footers(regular);
  return doc.save();
}

/** The answer as the client would say it, one printed line (or paragraph) per entry. */
function answerLines(question: Exclude<TQuestion, { type: 'consent' }>, answer: AnswerValue | undefined): string[] {
  if (answer === undefined) return [NO_ANSWER];
  switch (question.type) {
    case 'short_text':
    case 'long_text':
    case 'date':
    case 'single_choice':
      return [asText(answer)];
    case 'yes_no':
      return [answer === true ? 'Yes' : 'No'];
    case 'multiple_choice':
      return Array.isArray(answer) ? answer.map((choice) => `• ${choice}`) : [asText(answer)];
    case 'scale': {
      const picked = typeof answer === 'object' && !Array.isArray(answer) ? answer : {};
      return question.items.map((item) => {
        const value = picked[item.id];
        const option = question.options.find((candidate) => candidate.value === value);
        return `${item.label}: ${option ? `${option.label} (${option.value})` : NO_ANSWER}`;
      });
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

/** Writes lines top to bottom, starting a new page whenever the current one is full. */
class PageWriter {
  private page: PDFPage;
  private y = PAGE_HEIGHT - MARGIN;

  constructor(private readonly doc: PDFDocument) {
    this.page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
  }

  /** Word-wrapped to the page width; newlines in the text are kept. */
  text(text: string, style: Style, indent = 0): this {
    const safe = winAnsi(text, style.font);
    const lineHeight = style.size * 1.3;
    for (const line of wrap(safe, style.font, style.size, PAGE_WIDTH - 2 * MARGIN - indent)) {
      this.keep(lineHeight);
      this.y -= lineHeight;
      const { font, size, color = BLACK } = style;
      this.page.drawText(line, { x: MARGIN + indent, y: this.y + (lineHeight - size) / 2, font, size, color });
    }
    return this;
  }

  space(points: number): this {
    this.y -= points;
    return this;
  }

  rule(): this {
    this.keep(1);
    this.page.drawLine({
      start: { x: MARGIN, y: this.y },
      end: { x: PAGE_WIDTH - MARGIN, y: this.y },
      thickness: 0.5,
      color: GREY,
    });
    return this;
  }

  /** Starts a new page unless `height` points still fit on this one. */
  keep(height: number): this {
    if (this.y - height < MARGIN + FOOTER_SPACE) {
      this.page = this.doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
      this.y = PAGE_HEIGHT - MARGIN;
    }
    return this;
  }

  /** "Page i of n" on every page, once n is known. */
  footers(font: PDFFont): void {
    const pages = this.doc.getPages();
    pages.forEach((page, index) => {
      const label = `Page ${index + 1} of ${pages.length}`;
      const size = 8.5;
      const x = (PAGE_WIDTH - font.widthOfTextAtSize(label, size)) / 2;
      page.drawText(label, { x, y: MARGIN / 2, font, size, color: GREY });
    });
  }
}
