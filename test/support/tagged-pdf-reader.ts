/**
 * Reads what a screen reader reads of a PDF: its structure tree, and what each
 * page draws inside which marked-content sequence. Built on pdf-lib's
 * low-level objects plus a small content-stream tokenizer, so the tagging
 * tests need no Python and no PDF renderer.
 */
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  type PDFRawStream,
  PDFRef,
  PDFString,
  type PDFObject,
} from 'pdf-lib';

/** Where a drawing sits: tied to a structure element by its MCID, an artifact, or outside any marked content. */
export type Mark = { kind: 'mcid'; mcid: number } | { kind: 'artifact' } | { kind: 'none' };

export interface Drawing {
  page: number;
  operator: string;
  mark: Mark;
  /** What a text-showing operator shows, decoded from WinAnsi. */
  text?: string;
  x: number;
  y: number;
}

export interface StructElement {
  /** The element's object reference, e.g. "12 0 R", as the ParentTree names it. */
  ref: string;
  role: string;
  alt?: string;
  /** The Table attributes' Scope of a TH. */
  scope?: string;
  kids: (StructElement | { page: number; mcid: number })[];
}

export interface TaggedPdf {
  doc: PDFDocument;
  /** Drawing operators (text and painting) page by page, in content-stream order. */
  drawings: Drawing[];
  /** The StructTreeRoot's single kid, or undefined when the PDF has no structure tree. */
  root: StructElement | undefined;
  /** ParentTree: StructParents key → the reference of the element owning each MCID, by MCID. */
  parentTree: Map<number, (string | undefined)[]>;
}

const TEXT_OPERATORS = new Set(['Tj', 'TJ', "'", '"']);
const PAINT_OPERATORS = new Set(['S', 's', 'f', 'F', 'f*', 'B', 'B*', 'b', 'b*', 'Do', 'sh', ...TEXT_OPERATORS]);

type Operand = number | string | { name: string } | Operand[] | { [key: string]: Operand };

export async function readTaggedPdf(bytes: Uint8Array): Promise<TaggedPdf> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const pageRefs = doc.getPages().map((page) => page.ref.toString());
  const drawings = doc.getPages().flatMap((page, index) => readContent(index, contentOf(doc, page.node)));
  const treeRoot = doc.catalog.lookupMaybe(PDFName.of('StructTreeRoot'), PDFDict);
  const parentTree = new Map<number, (string | undefined)[]>();
  if (!treeRoot) return { doc, drawings, root: undefined, parentTree };
  readNumberTree(treeRoot.lookup(PDFName.of('ParentTree'), PDFDict), parentTree);
  const kid = treeRoot.get(PDFName.of('K'));
  if (!(kid instanceof PDFRef)) throw new Error('StructTreeRoot /K should be one element reference');
  return { doc, drawings, root: readElement(doc, kid, pageRefs), parentTree };
}

/** Depth first, the way assistive technology reads the tree. */
export function walk(element: StructElement, visit: (element: StructElement) => void): void {
  visit(element);
  for (const kid of element.kids) if ('role' in kid) walk(kid, visit);
}

/** Each (page, MCID) the structure tree references, with the element that references it, in reading order. */
export function contentInStructureOrder(root: StructElement): { page: number; mcid: number; owner: StructElement }[] {
  const found: { page: number; mcid: number; owner: StructElement }[] = [];
  walk(root, (element) => {
    for (const kid of element.kids) if (!('role' in kid)) found.push({ ...kid, owner: element });
  });
  return found;
}

/** The text an element contains, its descendants' included, in structure order. */
export function textOf(element: StructElement, drawings: Drawing[]): string {
  return contentInStructureOrder(element)
    .map(({ page, mcid }) => textAt(drawings, page, mcid))
    .join(' ');
}

export function textAt(drawings: Drawing[], page: number, mcid: number): string {
  return drawings
    .filter((each) => each.page === page && each.mark.kind === 'mcid' && each.mark.mcid === mcid && each.text)
    .map((each) => each.text)
    .join(' ');
}

function contentOf(doc: PDFDocument, page: PDFDict): string {
  const contents = page.lookup(PDFName.of('Contents'));
  const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => doc.context.lookup(ref)) : [contents];
  return streams
    .map((stream) => Buffer.from(decodePDFRawStream(stream as PDFRawStream).decode()).toString('latin1'))
    .join('\n');
}

function readContent(page: number, content: string): Drawing[] {
  const tokens = tokenize(content);
  const drawings: Drawing[] = [];
  const marks: Mark[] = [];
  const operands: Operand[] = [];
  let position = { x: 0, y: 0 };
  let index = 0;
  const effectiveMark = (): Mark => {
    if (marks.some((mark) => mark.kind === 'artifact')) return { kind: 'artifact' };
    return [...marks].reverse().find((mark) => mark.kind === 'mcid') ?? { kind: 'none' };
  };
  while (index < tokens.length) {
    const [value, next] = parseOperand(tokens, index);
    index = next;
    if (value !== undefined) {
      operands.push(value);
      continue;
    }
    const operator = tokens[index - 1]!;
    if (operator === 'BMC' || operator === 'BDC') {
      const tag = (operands[0] as { name: string }).name;
      const properties = operator === 'BDC' ? (operands[1] as Record<string, Operand>) : {};
      if (tag === 'Artifact') marks.push({ kind: 'artifact' });
      else if (typeof properties.MCID === 'number') marks.push({ kind: 'mcid', mcid: properties.MCID });
      else marks.push({ kind: 'none' });
    } else if (operator === 'EMC') {
      marks.pop();
    } else if (operator === 'Tm') {
      position = { x: operands[4] as number, y: operands[5] as number };
    } else if (operator === 'Td' || operator === 'TD') {
      position = { x: position.x + (operands[0] as number), y: position.y + (operands[1] as number) };
    } else if (PAINT_OPERATORS.has(operator)) {
      const text = TEXT_OPERATORS.has(operator) ? shownText(operands) : undefined;
      drawings.push({ page, operator, mark: effectiveMark(), text, ...position });
    }
    operands.length = 0;
  }
  if (marks.length > 0) throw new Error(`page ${page}: a marked-content sequence is never closed`);
  return drawings;
}

function shownText(operands: Operand[]): string {
  const last = operands[operands.length - 1];
  const strings = Array.isArray(last) ? last.filter((part) => typeof part === 'string') : [last];
  return (strings as string[]).join('');
}

/** Tokens of a content stream: delimiters, strings (already decoded), names, numbers and operators. */
function tokenize(content: string): string[] {
  const tokens: string[] = [];
  const pattern = /<<|>>|\[|\]|<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\)|\/[^\s/<>[\]()]*|[^\s/<>[\]()]+/g;
  for (const match of content.matchAll(pattern)) tokens.push(match[0]);
  return tokens;
}

/** WinAnsiEncoding's bytes 0x80–0x9F (the rest is Latin-1); written out because Node without full ICU decodes windows-1252 as Latin-1. */
const WIN_ANSI_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
const WIN_ANSI = {
  decode: (bytes: Buffer) =>
    [...bytes]
      .map((byte) => (byte >= 0x80 && byte <= 0x9f ? WIN_ANSI_HIGH[byte - 0x80] : String.fromCharCode(byte)))
      .join(''),
};

/** @returns the operand at `index` and the index after it, or undefined (and the index past it) for an operator. */
function parseOperand(tokens: string[], index: number): [Operand | undefined, number] {
  const token = tokens[index]!;
  if (token === '[') {
    const items: Operand[] = [];
    let next = index + 1;
    while (tokens[next] !== ']') {
      const [item, after] = parseOperand(tokens, next);
      items.push(item!);
      next = after;
    }
    return [items, next + 1];
  }
  if (token === '<<') {
    const dict: Record<string, Operand> = {};
    let next = index + 1;
    while (tokens[next] !== '>>') {
      const key = tokens[next]!.slice(1);
      const [item, after] = parseOperand(tokens, next + 1);
      dict[key] = item!;
      next = after;
    }
    return [dict, next + 1];
  }
  if (token.startsWith('/')) return [{ name: token.slice(1) }, index + 1];
  if (token.startsWith('<')) {
    const hex = token.slice(1, -1).replace(/\s/g, '');
    return [WIN_ANSI.decode(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex')), index + 1];
  }
  if (token.startsWith('(')) {
    const raw = token.slice(1, -1).replace(/\\(.)/g, '$1');
    return [WIN_ANSI.decode(Buffer.from(raw, 'latin1')), index + 1];
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(token)) return [Number(token), index + 1];
  return [undefined, index + 1];
}

function readNumberTree(node: PDFDict, into: Map<number, (string | undefined)[]>): void {
  const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
  kids?.asArray().forEach((_, index) => readNumberTree(kids.lookup(index, PDFDict), into));
  const nums = node.lookupMaybe(PDFName.of('Nums'), PDFArray);
  if (!nums) return;
  for (let index = 0; index < nums.size(); index += 2) {
    const key = nums.lookup(index, PDFNumber).asNumber();
    const owners = nums.lookup(index + 1, PDFArray);
    into.set(
      key,
      owners.asArray().map((owner) => (owner instanceof PDFRef ? owner.toString() : undefined)),
    );
  }
}

function readElement(doc: PDFDocument, ref: PDFRef, pageRefs: string[]): StructElement {
  const dict = doc.context.lookup(ref, PDFDict);
  const ownPage = dict.get(PDFName.of('Pg'));
  const pageOf = (pg: PDFObject | undefined) => pageRefs.indexOf(String(pg));
  const k = dict.get(PDFName.of('K'));
  const entries = k instanceof PDFArray ? k.asArray() : k === undefined ? [] : [k];
  const kids = entries.map((entry): StructElement['kids'][number] => {
    if (entry instanceof PDFNumber) return { page: pageOf(ownPage), mcid: entry.asNumber() };
    if (entry instanceof PDFRef) return readElement(doc, entry, pageRefs);
    const reference = entry as PDFDict;
    if (reference.lookup(PDFName.of('Type'))?.toString() !== '/MCR')
      throw new Error(`unexpected kid ${entry.toString()}`);
    return {
      page: pageOf(reference.get(PDFName.of('Pg')) ?? ownPage),
      mcid: reference.lookup(PDFName.of('MCID'), PDFNumber).asNumber(),
    };
  });
  const alt = dict.lookup(PDFName.of('Alt'));
  const attributes = dict.lookupMaybe(PDFName.of('A'), PDFDict);
  return {
    ref: ref.toString(),
    role: dict.lookup(PDFName.of('S'), PDFName).decodeText(),
    alt: alt instanceof PDFString || alt instanceof PDFHexString ? alt.decodeText() : undefined,
    scope: attributes?.lookupMaybe(PDFName.of('Scope'), PDFName)?.decodeText(),
    kids,
  };
}
