/**
 * Tagged PDF (ISO 32000-1 §14.8, the structure PDF/UA-1 builds on) for the
 * documents pdf-lib draws. pdf-lib has no tagging API, so this writes the
 * objects itself: every drawing is wrapped in a marked-content sequence,
 * either tied by its MCID to a structure element (a heading, a paragraph, a
 * table cell) or marked as an artifact (rules, page numbers, a table header
 * repeated on a new page). A screen reader then reads the structure tree,
 * in the order the elements were begun, which is the order they are drawn.
 *
 * The drawing code brackets its calls: `tag.begin('H1')`, draw inside
 * `tag.mark(page, () => page.drawText(...))`, `tag.end('H1')`; and calls
 * `finish()` once, before saving.
 */
import {
  PDFArray,
  type PDFDict,
  type PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFOperator,
  PDFOperatorNames,
  type PDFPage,
  type PDFObject,
  type PDFRef,
} from 'pdf-lib';

/** The standard structure types the documents use (no role map needed). */
export type StructureRole =
  | 'Document'
  | 'Div'
  | 'P'
  | 'H1'
  | 'H2'
  | 'H3'
  | 'H4'
  | 'L'
  | 'LI'
  | 'LBody'
  | 'Table'
  | 'THead'
  | 'TBody'
  | 'TR'
  | 'TH'
  | 'TD'
  | 'Figure';

export interface ElementOptions {
  /** What a Figure shows, read instead of it (required for Figure). */
  alt?: string;
  /** Which cells a TH heads. */
  scope?: 'Row' | 'Column';
}

/**
 * Layout: rules and other decoration. Pagination: what a page break adds
 * (page numbers, running footers, a table header repeated on the next page).
 */
export type ArtifactKind = { type: 'Layout' } | { type: 'Pagination'; subtype?: 'Header' | 'Footer' };

interface MarkedContent {
  page: PDFPage;
  mcid: number;
}

interface StructureNode {
  role: StructureRole;
  options: ElementOptions;
  kids: (StructureNode | MarkedContent)[];
}

export class TaggedPdf {
  private readonly root: StructureNode = { role: 'Document', options: {}, kids: [] };
  private readonly open: StructureNode[] = [this.root];
  /** Per page, the element each MCID belongs to, indexed by MCID: the page's ParentTree entry. */
  private readonly owners = new Map<PDFPage, StructureNode[]>();
  private artifactDepth = 0;
  private finished = false;

  constructor(private readonly doc: PDFDocument) {}

  /** Opens a structure element inside the one currently open. */
  begin(role: StructureRole, options: ElementOptions = {}): this {
    if (role === 'Figure' && !options.alt?.trim()) throw new Error('a Figure needs alternative text');
    const node: StructureNode = { role, options, kids: [] };
    // An element opened while drawing artifacts stays out of the tree, like its content.
    if (this.artifactDepth === 0) this.current().kids.push(node);
    this.open.push(node);
    return this;
  }

  /** Closes the element `begin(role)` opened; naming it catches a missing end. */
  end(role: StructureRole): this {
    const node = this.current();
    if (this.open.length === 1 || node.role !== role) throw new Error(`end('${role}') but '${node.role}' is open`);
    this.open.pop();
    return this;
  }

  /** `begin(role)`, the drawing, `end(role)`. */
  within(role: StructureRole, draw: () => void, options: ElementOptions = {}): this {
    this.begin(role, options);
    draw();
    return this.end(role);
  }

  /** What `draw` puts on the page is content of the open element (or an artifact inside `asArtifacts`). */
  mark(page: PDFPage, draw: () => void): void {
    if (this.artifactDepth > 0) return this.artifact(page, draw, { type: 'Pagination' });
    if (this.open.length === 1) throw new Error('content must belong to an element inside Document');
    const owners = this.owners.get(page) ?? [];
    this.owners.set(page, owners);
    const mcid = owners.length;
    owners.push(this.current());
    this.current().kids.push({ page, mcid });
    const properties = this.doc.context.obj({ MCID: mcid });
    this.wrap(page, PDFName.of(this.current().role), properties, draw);
  }

  /** What `draw` puts on the page is decoration, skipped by assistive technology. */
  artifact(page: PDFPage, draw: () => void, kind: ArtifactKind = { type: 'Layout' }): void {
    const properties = this.doc.context.obj(
      kind.type === 'Pagination' && kind.subtype ? { Type: kind.type, Subtype: kind.subtype } : { Type: kind.type },
    );
    this.wrap(page, PDFName.of('Artifact'), properties, draw);
  }

  /** Everything marked while `draw` runs is a pagination artifact: a repeat of content already tagged. */
  asArtifacts(draw: () => void): void {
    this.artifactDepth++;
    try {
      draw();
    } finally {
      this.artifactDepth--;
    }
  }

  /** Writes the structure tree and marks the document as tagged. Call once, after the last drawing. */
  finish(): void {
    if (this.finished) throw new Error('the structure tree is already written');
    if (this.open.length !== 1) throw new Error(`'${this.current().role}' was never ended`);
    this.finished = true;
    const { context, catalog } = this.doc;
    const treeRootRef = context.nextRef();
    const refs = new Map<StructureNode, PDFRef>();
    const documentRef = this.writeElement(this.root, treeRootRef, refs);

    // The ParentTree maps each page (its StructParents key) to the elements its MCIDs belong to.
    const nums: PDFObject[] = [];
    this.doc.getPages().forEach((page, key) => {
      page.node.set(PDFName.of('Tabs'), PDFName.of('S'));
      page.node.set(PDFName.of('StructParents'), PDFNumber.of(key));
      const owners = this.owners.get(page) ?? [];
      nums.push(PDFNumber.of(key), context.obj(owners.map((owner) => refs.get(owner)!)));
    });
    const parentTree = context.register(context.obj({ Nums: context.obj(nums) }));
    context.assign(
      treeRootRef,
      context.obj({
        Type: 'StructTreeRoot',
        K: documentRef,
        ParentTree: parentTree,
        ParentTreeNextKey: this.doc.getPageCount(),
      }),
    );
    catalog.set(PDFName.of('StructTreeRoot'), treeRootRef);
    catalog.set(PDFName.of('MarkInfo'), context.obj({ Marked: true }));
    catalog.getOrCreateViewerPreferences().setDisplayDocTitle(true);
  }

  private current(): StructureNode {
    return this.open[this.open.length - 1]!;
  }

  private wrap(page: PDFPage, tag: PDFName, properties: PDFDict, draw: () => void): void {
    // Written inline as text: pdf-lib's operand type leaves dictionaries out, though a property list is one.
    const operands = [tag, properties.toString()];
    page.pushOperators(PDFOperator.of(PDFOperatorNames.BeginMarkedContentSequence, operands));
    draw();
    page.pushOperators(PDFOperator.of(PDFOperatorNames.EndMarkedContent));
  }

  /** The element and, depth first, its descendants; returns its reference. */
  private writeElement(node: StructureNode, parent: PDFRef, refs: Map<StructureNode, PDFRef>): PDFRef {
    const { context } = this.doc;
    const ref = context.nextRef();
    refs.set(node, ref);
    // An MCID on the element's own page (/Pg) is a plain integer, one on another page a marked-content reference.
    const firstPage = node.kids.find((kid): kid is MarkedContent => 'mcid' in kid)?.page;
    const kids = node.kids.map((kid) => {
      if (!('mcid' in kid)) return this.writeElement(kid, ref, refs);
      if (kid.page === firstPage) return PDFNumber.of(kid.mcid);
      return context.obj({ Type: 'MCR', Pg: kid.page.ref, MCID: kid.mcid });
    });
    const element = context.obj({ Type: 'StructElem', S: node.role, P: parent });
    // An empty table cell keeps its place in the row, with nothing in it.
    if (kids.length > 0) {
      const k = PDFArray.withContext(context);
      kids.forEach((kid) => k.push(kid));
      element.set(PDFName.of('K'), k);
    }
    if (firstPage) element.set(PDFName.of('Pg'), firstPage.ref);
    if (node.options.alt) element.set(PDFName.of('Alt'), PDFHexString.fromText(node.options.alt));
    if (node.options.scope) element.set(PDFName.of('A'), context.obj({ O: 'Table', Scope: node.options.scope }));
    context.assign(ref, element);
    return ref;
  }
}
