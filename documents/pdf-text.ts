/**
 * What the portal's PDFs share: text the standard fonts can draw, word wrap,
 * and a writer that flows lines and table rows over US Letter pages with a
 * footer on each. pdf-lib's standard fonts keep the files small and need no
 * font files, at the price of WinAnsi only (see winAnsi).
 */
import { PDFDocument, type PDFFont, type PDFPage, type RGB, StandardFonts, rgb } from 'pdf-lib';
import { describePdf } from './pdf-accessibility';

// US Letter, in points, with 3/4-inch margins.
export const PAGE_WIDTH = 612;
export const PAGE_HEIGHT = 792;
export const MARGIN = 54;
export const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
/** Room kept at the bottom of each page for the footer lines. */
const FOOTER_SPACE = 36;
/** White space between two table columns. */
const COLUMN_GAP = 8;
/** Line height as a multiple of the font size. */
const LINE_SPACING = 1.3;
export const GREY = rgb(0.4, 0.4, 0.4);
export const BLACK = rgb(0, 0, 0);

export interface TextStyle {
  font: PDFFont;
  size: number;
  color?: RGB;
}

export interface Column {
  width: number;
  /** Amounts and counts are right-aligned so their digits line up. */
  align?: 'left' | 'right';
}

/**
 * The text as the standard PDF fonts can draw it. They only encode WinAnsi
 * (Western European), and pdf-lib throws on anything else, so a client who
 * writes their name in Chinese or adds an emoji would otherwise get no PDF at
 * all. Each character the font lacks is replaced by its unaccented form where
 * one exists (ł has none, ŝ becomes s), or by '?'.
 */
export function winAnsi(text: string, font: PDFFont): string {
  const supported = new Set(font.getCharacterSet());
  const encodable = (value: string) => [...value].every((char) => supported.has(char.codePointAt(0)!));
  const normalised = text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, '    ');
  let result = '';
  for (const char of normalised) {
    if (char === '\n' || encodable(char)) {
      result += char;
      continue;
    }
    // Marks and invisible joiners (emoji variation selectors, ZWJ) have nothing to print.
    const base = char.normalize('NFKD').replace(/[\p{M}\p{Cf}]/gu, '');
    result += encodable(base) ? base : '?';
  }
  return result;
}

/** Greedy word wrap; a word wider than the line (a pasted URL, a hash) is broken between characters. */
export function wrap(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const fits = (candidate: string) => font.widthOfTextAtSize(candidate, size) <= maxWidth;
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      const candidate = line ? `${line} ${word}` : word;
      if (fits(candidate)) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = word;
      while (!fits(line)) {
        let cut = 1;
        while (cut < line.length && fits(line.slice(0, cut + 1))) cut++;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    lines.push(line);
  }
  return lines;
}

export interface PdfDocumentOptions {
  /** Shown by file browsers and indexed by search tools: a document's number, never a client's name. */
  title: string;
  /** The practice that issues it (the PDF's author). */
  author: string;
  /** What kind of document it is, e.g. "Invoice" (the PDF's subject). */
  subject: string;
  /** The moment the document is about (issue date, payment): the same record then renders the same bytes. */
  createdAt: Date;
  modifiedAt?: Date;
}

/** A new PDF with deterministic metadata and the two Helvetica faces every document uses. */
export async function createPdf(
  options: PdfDocumentOptions,
): Promise<{ doc: PDFDocument; regular: PDFFont; bold: PDFFont }> {
  if (Number.isNaN(options.createdAt.getTime())) throw new RangeError('createdAt must be a valid date');
  // Without updateMetadata: false pdf-lib stamps the current time and its own name.
  const doc = await PDFDocument.create({ updateMetadata: false });
  describePdf(doc, options);
  doc.setCreationDate(options.createdAt);
  doc.setModificationDate(options.modifiedAt ?? options.createdAt);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  return { doc, regular, bold };
}

/** Writes lines and table rows top to bottom, starting a new page whenever the current one is full. */
export class PdfWriter {
  private page: PDFPage;
  private y = PAGE_HEIGHT - MARGIN;

  constructor(private readonly doc: PDFDocument) {
    this.page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
  }

  /** Word-wrapped to the page width; newlines in the text are kept. */
  text(text: string, style: TextStyle, indent = 0): this {
    const lineHeight = style.size * LINE_SPACING;
    for (const line of wrap(winAnsi(text, style.font), style.font, style.size, CONTENT_WIDTH - indent)) {
      this.keep(lineHeight);
      this.y -= lineHeight;
      this.draw(line, MARGIN + indent, style, lineHeight);
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
    this.newPageUnlessFits(height);
    return this;
  }

  /**
   * One row of cells side by side, each wrapped within its column (whose
   * widths should add up to CONTENT_WIDTH). A row is never split across pages;
   * when it moves to a new page, `onNewPage` runs first (to repeat a table's header).
   */
  row(
    cells: readonly string[],
    columns: readonly Column[],
    styles: TextStyle | readonly TextStyle[],
    onNewPage?: () => void,
  ): this {
    const cellsToDraw = columns.map((column, index) => {
      const style = Array.isArray(styles) ? (styles as readonly TextStyle[])[index]! : (styles as TextStyle);
      const width = column.width - (index < columns.length - 1 ? COLUMN_GAP : 0);
      const lines = wrap(winAnsi(cells[index] ?? '', style.font), style.font, style.size, width);
      return { column, style, width, lines, lineHeight: style.size * LINE_SPACING };
    });
    // Cells in a smaller size move down so that the first lines share a baseline.
    const largest = Math.max(...cellsToDraw.map(({ style }) => style.size));
    const drop = (size: number) => ((largest - size) * (LINE_SPACING + 1)) / 2;
    const height =
      Math.max(...cellsToDraw.map(({ style, lines, lineHeight }) => drop(style.size) + lines.length * lineHeight)) + 3;
    if (this.newPageUnlessFits(height)) onNewPage?.();
    let x = MARGIN;
    for (const { column, style, width, lines, lineHeight } of cellsToDraw) {
      const top = this.y - drop(style.size);
      lines.forEach((line, lineIndex) => {
        const lineX = column.align === 'right' ? x + width - style.font.widthOfTextAtSize(line, style.size) : x;
        this.draw(line, lineX, style, lineHeight, top - (lineIndex + 1) * lineHeight);
      });
      x += column.width;
    }
    this.y -= height;
    return this;
  }

  /**
   * A table: the header, then one row per entry, with the header repeated at
   * the top of each page the table continues on.
   */
  table(
    columns: readonly Column[],
    header: readonly string[],
    rows: readonly (readonly string[])[],
    styles: { header: TextStyle; body: TextStyle },
  ): this {
    const drawHeader = () => {
      this.row(header, columns, styles.header);
      this.rule().space(3);
    };
    this.keep((styles.header.size + styles.body.size) * LINE_SPACING + 10);
    drawHeader();
    for (const cells of rows) this.row(cells, columns, styles.body, drawHeader);
    return this;
  }

  /**
   * On every page, once their number is known: `note` (one line, shortened
   * to fit) above "Page i of n".
   */
  footers(font: PDFFont, note?: string): void {
    const pages = this.doc.getPages();
    const size = 8.5;
    const line = note ? fitOnOneLine(winAnsi(note, font).replace(/\n/g, ' '), font, size, CONTENT_WIDTH) : '';
    pages.forEach((page, index) => {
      const label = `Page ${index + 1} of ${pages.length}`;
      const centred = (text: string) => (PAGE_WIDTH - font.widthOfTextAtSize(text, size)) / 2;
      if (line) page.drawText(line, { x: centred(line), y: MARGIN / 2 + 12, font, size, color: GREY });
      page.drawText(label, { x: centred(label), y: MARGIN / 2, font, size, color: GREY });
    });
  }

  /** @returns whether it started a new page. */
  private newPageUnlessFits(height: number): boolean {
    if (this.y - height >= MARGIN + FOOTER_SPACE) return false;
    this.page = this.doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    this.y = PAGE_HEIGHT - MARGIN;
    return true;
  }

  private draw(line: string, x: number, style: TextStyle, lineHeight: number, baselineTop = this.y): void {
    const { font, size, color = BLACK } = style;
    this.page.drawText(line, { x, y: baselineTop + (lineHeight - size) / 2, font, size, color });
  }
}

/** The text, cut short with an ellipsis when it is wider than `maxWidth`. */
function fitOnOneLine(text: string, font: PDFFont, size: number, maxWidth: number): string {
  if (font.widthOfTextAtSize(text, size) <= maxWidth) return text;
  let cut = text.length;
  while (cut > 0 && font.widthOfTextAtSize(`${text.slice(0, cut)}…`, size) > maxWidth) cut--;
  return `${text.slice(0, cut).trimEnd()}…`;
}

/** A whole number of cents, or a RangeError naming the field (never the value's owner). */
export function assertCents(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${field} must be a whole, non-negative number of cents`);
  return value;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** The parts of a calendar date "YYYY-MM-DD", or a RangeError when it is not a real one. */
function dateParts(isoDate: string, field: string): { year: string; month: number; day: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const [year, month, day] = match ? [match[1]!, Number(match[2]), Number(match[3])] : ['', 0, 0];
  const probe = new Date(Date.UTC(Number(year), month - 1, day));
  if (!match || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new RangeError(`${field} must be a calendar date YYYY-MM-DD`);
  }
  return { year, month, day };
}

/**
 * "15 January 2026" for "2026-01-15". A calendar date has no time zone: it
 * is printed as written, never shifted by one.
 */
export function formatCalendarDate(isoDate: string, field = 'date'): string {
  const { year, month, day } = dateParts(isoDate, field);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

/** "01/15/2026" for "2026-01-15": the US form insurers' claim forms use. */
export function formatShortDate(isoDate: string, field = 'date'): string {
  const { year, month, day } = dateParts(isoDate, field);
  return `${String(month).padStart(2, '0')}/${String(day).padStart(2, '0')}/${year}`;
}

/** Midnight UTC of a calendar date: for a document's metadata. */
export function calendarDateAsInstant(isoDate: string, field = 'date'): Date {
  const { year, month, day } = dateParts(isoDate, field);
  return new Date(Date.UTC(Number(year), month - 1, day));
}
