import type { DocumentSource, Family, ManifestSet, Resource, ResourceId } from "../core/resource.js";

type Body = Readonly<Record<string, unknown>>;

/** Own, enumerable and symbol-keyed: a copy made with Object.assign (a resource given another key) holds the body too. */
const HELD = Symbol("held body");

/** What a resource is besides its body. */
export type ResourceFields = Omit<Resource, "body">;

/**
 * A resource read from a document, whose parsed body it can let go of. The review holds both the
 * text of every file (its findings' lines are found there) and the parsed body of every document,
 * and the bodies of what a PR leaves alone are read in full only while the models and the graph
 * nodes are built: after that, the bodies of a large tree's unchanged resources were a sixth of
 * its peak (issue 13: 31 MB of 2,000 files' 199 MB live). Let go, a body asked for again is read
 * again from its document's text, which gives an equal body (the reading is a function of the text).
 */
export abstract class DocumentResource implements Resource {
  declare readonly id: ResourceId;
  declare readonly key: string;
  declare readonly cluster?: string;
  declare readonly apiVersion: string;
  declare readonly family: Family;
  declare readonly labels: Readonly<Record<string, string>>;
  declare readonly annotations: Readonly<Record<string, string>>;
  declare readonly source: DocumentSource;
  declare readonly namespaceImplied?: true;
  declare readonly unresolved?: Resource["unresolved"];
  [HELD]: Body | undefined;

  constructor(fields: ResourceFields, body: Body) {
    Object.assign(this, fields);
    this[HELD] = body;
  }

  /** A body read again is held again: a detector asks for the same Gateway once per route it judges. */
  get body(): Body {
    return (this[HELD] ??= this.readAgain(this.source));
  }

  /** The body its document's text reads as: what the loader made of it. */
  protected abstract readAgain(source: DocumentSource): Body;

  release(): void {
    this[HELD] = undefined;
  }
}

/**
 * Lets go of the bodies of the resources both trees hold (one object: the PR leaves their document
 * alone), once the models and graph nodes are built: the stages after read a few of them (a
 * changed route's Gateway), and the changes themselves, whose bodies are kept.
 */
export function releaseSharedBodies(base: ManifestSet, head: ManifestSet): void {
  base.resources.forEach((resource) => {
    if (resource instanceof DocumentResource && head.resources.get(resource.key) === resource) resource.release();
  });
}
