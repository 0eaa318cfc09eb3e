import type { Resource } from "./resource.js";

/**
 * Who a mesh or trust change reaches (DESIGN §7): the whole mesh, a namespace, the workloads a
 * selector picks, or the resources a policy targets. Families read it from their own kinds; the
 * blast radius lists it.
 */
export interface MeshScope {
  readonly resource: string;
  readonly scope: "mesh-wide" | "namespace" | "workloads" | "targets";
  /** Namespaces of the repository in scope (all of them when mesh-wide). */
  readonly namespaces: readonly string[];
  /** `workloads app=reviews in every namespace`, `targets Gateway infra/public`. */
  readonly detail: string;
}

export interface MeshScopeContext {
  /** The mesh's root namespace where the tree configures one; each mesh knows its own default. */
  readonly rootNamespace: string | undefined;
  /** Every namespace of the repository. */
  readonly namespaces: readonly string[];
}

export type MeshScopeReader = (resource: Resource, context: MeshScopeContext) => MeshScope;
