/**
 * What a screen reader and a PDF viewer need to know about our documents
 * (issue 13, accessibility; WCAG 2.4.2 and 3.1.1, PDF/UA's metadata rules):
 * the title, shown in the window instead of the file name; the language, so
 * the text is read with English pronunciation; who issued it and what it is.
 * The content is tagged (tagged-pdf.ts, through PdfWriter): a structure tree
 * of headings, paragraphs, tables and lists, read in the order it is drawn,
 * top to bottom, left to right.
 */
import type { PDFDocument } from 'pdf-lib';

/** Every document we produce is written in US English. */
export const PDF_LANGUAGE = 'en-US';

export interface PdfDescription {
  /** A document's number or a form's title, never a client's name: file browsers and search tools show it. */
  title: string;
  /** The practice that issues it. */
  author: string;
  /** What kind of document it is, e.g. "Invoice". */
  subject: string;
}

export function describePdf(doc: PDFDocument, description: PdfDescription): void {
  // showInWindowTitleBar sets the viewer preference DisplayDocTitle.
  doc.setTitle(description.title, { showInWindowTitleBar: true });
  doc.setAuthor(description.author);
  doc.setSubject(description.subject);
  doc.setLanguage(PDF_LANGUAGE);
  doc.setCreator('Client Portal');
  doc.setProducer('Client Portal');
}
