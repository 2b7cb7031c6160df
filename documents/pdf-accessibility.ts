/**
 * What a screen reader and a PDF viewer need to know about our documents
 * (issue 13, accessibility; WCAG 2.4.2 and 3.1.1, PDF/UA's metadata rules):
 * the title, shown in the window instead of the file name; the language, so
 * the text is read with English pronunciation; who issued it and what it is.
 * The content is tagged (tagged-pdf.ts, through PdfWriter): a structure tree
 * of headings, paragraphs, tables and lists, read in the order it is drawn,
 * top to bottom, left to right.
 */
import { PDFName, type PDFDocument } from 'pdf-lib';

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
  writeXmpMetadata(doc, description);
}

/**
 * The same description as an XMP metadata stream, where PDF/UA-1 (7.1) looks
 * for the title. It does not claim PDF/UA conformance (no pdfuaid:part):
 * the standard fonts are not embedded, which PDF/UA requires.
 */
function writeXmpMetadata(doc: PDFDocument, description: PdfDescription): void {
  const text = (value: string) =>
    value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const alternative = (value: string) => `<rdf:Alt><rdf:li xml:lang="x-default">${text(value)}</rdf:li></rdf:Alt>`;
  const xmp = [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    `<dc:title>${alternative(description.title)}</dc:title>`,
    `<dc:creator><rdf:Seq><rdf:li>${text(description.author)}</rdf:li></rdf:Seq></dc:creator>`,
    `<dc:description>${alternative(description.subject)}</dc:description>`,
    `<dc:language><rdf:Bag><rdf:li>${PDF_LANGUAGE}</rdf:li></rdf:Bag></dc:language>`,
    '</rdf:Description></rdf:RDF></x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
  // Uncompressed, as XMP readers that scan the file for packets expect.
  const stream = doc.context.stream(Buffer.from(xmp, 'utf8'), { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(stream));
}
