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
 * Why a definition is no version of the object its tree applies: `unapplied`, the tree's GitOps
 * objects deliver its folder but nothing they apply reads its file (its folder's kustomization,
 * which Flux and Argo CD build, does not list it), or nothing they apply reads it while they apply
 * another file's definition of it; `unlisted`, its folder's kustomization lists another file that
 * defines the same identity and not its own (Flux and `kubectl apply -k` build that kustomization);
 * `archived`, the tree keeps its file in an archive folder none of its GitOps objects applies.
 * `instead`: that other definition, the one the tree applies in its place, where there is one.
 */
export interface Unapplied {
  readonly instead?: Resource;
  readonly why: "unapplied" | "unlisted" | "archived";
}

/** One traffic resource at base and at head, matched by identity: added, removed, or on both sides. */
export type ResourceChange =
  | { readonly key: string; readonly base?: undefined; readonly head: Resource; readonly unapplied?: Unapplied }
  | { readonly key: string; readonly base: Resource; readonly head?: undefined; readonly unapplied?: Unapplied }
  | {
      readonly key: string;
      readonly base: Resource;
      readonly head: Resource;
      /** Of an edit, why neither side's version is applied (the head's reason): the edit changes no object of the cluster. */
      readonly unapplied?: Unapplied;
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
