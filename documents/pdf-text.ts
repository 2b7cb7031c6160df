/**
 * What the portal's PDFs share: text the standard fonts can draw, word wrap,
 * and a writer that flows lines and table rows over US Letter pages with a
 * footer on each. pdf-lib's standard fonts keep the files small and need no
 * font files, at the price of WinAnsi only (see winAnsi).
 */
import { PDFDocument, type PDFFont, type PDFPage, type RGB, StandardFonts, rgb } from 'pdf-lib';
import { describePdf } from './pdf-accessibility';
import { type StructureRole, TaggedPdf } from './tagged-pdf';

// US Letter, in points, with 3/4-inch margins.
export const PAGE_WIDTH = 612;
export const PAGE_HEIGHT = 792;
export const MARGIN = 54;
export const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
/** Room kept at the bottom of each page for the footer lines (a note and the page number). */
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

export interface TextOptions {
  /** What the text is to a screen reader: a paragraph unless it is a heading or a list item's body. */
  role?: Extract<StructureRole, 'P' | 'H1' | 'H2' | 'H3' | 'H4' | 'LBody'>;
  indent?: number;
}

/**
 * What a row's cell is in the structure tree: a header cell, a data cell, or
 * null for a column that only holds the layout (and must stay empty).
 */
export type CellRole = 'TH' | 'TD' | null;

export interface RowOptions {
  /** One per column; all data cells when left out. */
  cells?: readonly CellRole[];
  /** Runs when the row moves to a new page, before it is drawn (to repeat a table's header). */
  onNewPage?: () => void;
}

/**
 * Writes lines and table rows top to bottom, starting a new page whenever the
 * current one is full, and tags what it draws (tagged-pdf.ts): text belongs
 * to the element it is given, rules and footers are artifacts. Open groups
 * (a list, a table, a section) with `group`; end with `save`.
 */
export class PdfWriter {
  readonly tag: TaggedPdf;
  private page: PDFPage;
  private y = PAGE_HEIGHT - MARGIN;

  /** @param footerSpace room kept at the bottom of each page for the footers. */
  constructor(
    private readonly doc: PDFDocument,
    private readonly footerSpace = FOOTER_SPACE,
  ) {
    this.tag = new TaggedPdf(doc);
    this.page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
  }

  /** Word-wrapped to the page width, as one element; newlines in the text are kept. */
  text(text: string, style: TextStyle, options: TextOptions = {}): this {
    const { role = 'P', indent = 0 } = options;
    const lineHeight = style.size * LINE_SPACING;
    this.tag.within(role, () => {
      for (const line of wrap(winAnsi(text, style.font), style.font, style.size, CONTENT_WIDTH - indent)) {
        this.keep(lineHeight);
        this.y -= lineHeight;
        this.draw(line, MARGIN + indent, style, lineHeight);
      }
    });
    return this;
  }

  /** The elements `draw` writes, inside one element of `role` (a list, a table, a signature block). */
  group(role: StructureRole, draw: () => void): this {
    this.tag.within(role, draw);
    return this;
  }

  space(points: number): this {
    this.y -= points;
    return this;
  }

  rule(): this {
    this.keep(1);
    const page = this.page;
    this.tag.artifact(page, () =>
      page.drawLine({
        start: { x: MARGIN, y: this.y },
        end: { x: PAGE_WIDTH - MARGIN, y: this.y },
        thickness: 0.5,
        color: GREY,
      }),
    );
    return this;
  }

  /** Starts a new page unless `height` points still fit on this one. */
  keep(height: number): this {
    this.newPageUnlessFits(height);
    return this;
  }

  /**
   * One row of cells side by side (a TR), each wrapped within its column (whose
   * widths should add up to CONTENT_WIDTH). A row is never split across pages.
   * Call it inside a Table (or its THead/TBody) group.
   */
  row(
    cells: readonly string[],
    columns: readonly Column[],
    styles: TextStyle | readonly TextStyle[],
    options: RowOptions = {},
  ): this {
    const cellsToDraw = columns.map((column, index) => {
      const style = Array.isArray(styles) ? (styles as readonly TextStyle[])[index]! : (styles as TextStyle);
      const width = column.width - (index < columns.length - 1 ? COLUMN_GAP : 0);
      const lines = wrap(winAnsi(cells[index] ?? '', style.font), style.font, style.size, width);
      const role = options.cells ? options.cells[index]! : 'TD';
      if (role === null && lines.join('') !== '') throw new Error(`column ${index} is layout only and must be empty`);
      return { column, style, width, lines, lineHeight: style.size * LINE_SPACING, role };
    });
    // Cells in a smaller size move down so that the first lines share a baseline.
    const largest = Math.max(...cellsToDraw.map(({ style }) => style.size));
    const drop = (size: number) => ((largest - size) * (LINE_SPACING + 1)) / 2;
    const height =
      Math.max(...cellsToDraw.map(({ style, lines, lineHeight }) => drop(style.size) + lines.length * lineHeight)) + 3;
    if (this.newPageUnlessFits(height)) options.onNewPage?.();
    // A header row heads columns; a TH in a data row heads its row.
    const scope = cellsToDraw.every(({ role }) => role === 'TH') ? 'Column' : 'Row';
    this.tag.begin('TR');
    let x = MARGIN;
    for (const { column, style, width, lines, lineHeight, role } of cellsToDraw) {
      const top = this.y - drop(style.size);
      const drawLines = () =>
        lines.forEach((line, lineIndex) => {
          const lineX = column.align === 'right' ? x + width - style.font.widthOfTextAtSize(line, style.size) : x;
          this.draw(line, lineX, style, lineHeight, top - (lineIndex + 1) * lineHeight);
        });
      if (role === 'TH') this.tag.within('TH', drawLines, { scope });
      else if (role === 'TD') this.tag.within('TD', drawLines);
      x += column.width;
    }
    this.tag.end('TR');
    this.y -= height;
    return this;
  }

  /**
   * A table: the header, then one row per entry, with the header repeated at
   * the top of each page the table continues on (as an artifact: a screen
   * reader has read it once already).
   */
  table(
    columns: readonly Column[],
    header: readonly string[],
    rows: readonly (readonly string[])[],
    styles: { header: TextStyle; body: TextStyle },
  ): this {
    const headerCells = header.map((): CellRole => 'TH');
    const drawHeader = () => {
      this.row(header, columns, styles.header, { cells: headerCells });
      this.rule().space(3);
    };
    const repeatHeader = () => this.tag.asArtifacts(drawHeader);
    this.keep((styles.header.size + styles.body.size) * LINE_SPACING + 10);
    return this.group('Table', () => {
      this.group('THead', drawHeader);
      this.group('TBody', () => {
        for (const cells of rows) this.row(cells, columns, styles.body, { onNewPage: repeatHeader });
      });
    });
  }

  /**
   * On every page, once their number is known: `note` (one line, shortened
   * to fit) above "Page i of n"; both are artifacts, repeated on each page.
   */
  footers(font: PDFFont, note?: string): void {
    const pages = this.doc.getPages();
    const size = 8.5;
    const line = note ? fitOnOneLine(winAnsi(note, font).replace(/\n/g, ' '), font, size, CONTENT_WIDTH) : '';
    pages.forEach((page, index) => {
      const label = `Page ${index + 1} of ${pages.length}`;
      const centred = (text: string) => (PAGE_WIDTH - font.widthOfTextAtSize(text, size)) / 2;
      this.tag.artifact(
        page,
        () => {
          if (line) page.drawText(line, { x: centred(line), y: MARGIN / 2 + 12, font, size, color: GREY });
          page.drawText(label, { x: centred(label), y: MARGIN / 2, font, size, color: GREY });
        },
        { type: 'Pagination', subtype: 'Footer' },
      );
    });
  }

  /** The document's bytes, with its structure tree written. */
  save(): Promise<Uint8Array> {
    this.tag.finish();
    return this.doc.save();
  }

  /** @returns whether it started a new page. */
  private newPageUnlessFits(height: number): boolean {
    if (this.y - height >= MARGIN + this.footerSpace) return false;
    this.page = this.doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    this.y = PAGE_HEIGHT - MARGIN;
    return true;
  }

  /** One line of the open element's content; an empty line draws nothing. */
  private draw(line: string, x: number, style: TextStyle, lineHeight: number, baselineTop = this.y): void {
    if (line === '') return;
    const { font, size, color = BLACK } = style;
    const page = this.page;
    this.tag.mark(page, () => page.drawText(line, { x, y: baselineTop + (lineHeight - size) / 2, font, size, color }));
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
