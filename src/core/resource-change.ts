import type { Resource } from "./resource.js";

/**
 * How base and head of a change are two versions of one object written in two files, where each
 * is its own resource (keyed by its file) and one of them has no counterpart in its own file:
 * `added`, a file now writes another version beside those the base already wrote (head is it,
 * base the version it is judged against); `removed`, a file no longer writes its version while
 * another file still writes the object (base is it, head the version that stays); `redelivered`,
 * a file that stays is no longer delivered to some of its clusters, which GitOps now delivers
 * another file's copy to (base is it, head that copy; core/sites-taken-over.ts).
 */
export type VersionChange = "added" | "removed" | "redelivered";

/**
 * Why a definition added or removed is no version of the object its tree applies, though another
 * file of that tree defines the same identity where it would be one: `unapplied`, nothing the tree's
 * GitOps objects apply reads its file; `unlisted`, its folder's kustomization lists the other's file
 * and not its own (Flux and `kubectl apply -k` build that kustomization).
 */
export interface AppliedInstead {
  readonly resource: Resource;
  readonly why: "unapplied" | "unlisted";
}

/** One traffic resource at base and at head, matched by identity: added, removed, or on both sides. */
export type ResourceChange =
  | { readonly key: string; readonly base?: undefined; readonly head: Resource; readonly appliedInstead?: AppliedInstead }
  | { readonly key: string; readonly base: Resource; readonly head?: undefined; readonly appliedInstead?: AppliedInstead }
  | {
      readonly key: string;
      readonly base: Resource;
      readonly head: Resource;
      readonly version?: VersionChange;
      /**
       * Of a version change, the other side's versions it differs from, `base` (`head` for one
       * removed) the first: where several differ, which of them the cluster holds depends on the
       * order the files are applied in, which the tree does not say, so it may be judged against
       * any of them (detect/object-versions.ts keeps the comparison that rates highest).
       */
      readonly counterparts?: readonly Resource[];
      /**
       * Of a `redelivered` change, the sites (FileClusters.sites) each head counterpart now holds in
       * base's place; a counterpart absent here is base's own file at head, where it is still delivered.
       */
      readonly redeliveredTo?: ReadonlyMap<Resource, readonly string[]>;
    };
