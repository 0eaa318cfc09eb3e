/**
 * Hosts that serve a forge's repositories on another name: GitHub's and GitLab's SSH over port 443
 * (`ssh://git@ssh.github.com:443/o/r`) is the same repository as `github.com/o/r`.
 */
const HOST_ALIASES: Readonly<Record<string, string>> = { "ssh.github.com": "github.com", "altssh.gitlab.com": "gitlab.com" };

/** `scheme://[user[:secret]@]host[:port]/path`: any scheme (`git+ssh`, `ssh+git`, `https`). */
const URL_FORM = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/]*)(.*)$/;
/** scp-like `[user@]host:path`, which has no port: what follows the colon is the path, digits too. */
const SCP_FORM = /^(?:[^@/:]+@)?([^/:]+):(.*)$/;

/**
 * A git repository's URL as one key however it is written (`git@github.com:o/r.git`,
 * `ssh://git@github.com:22/o/r`, `git+ssh://git@ssh.github.com:443/o/r`, `https://user@github.com/o/r/`):
 * host and path, lower case, without scheme, user, port, `.git` or trailing slashes. A port says how
 * the repository is reached, not which it is (a GitRepository of this repository spelled with
 * `:22` read as another repository's, and its delivery went unreviewed).
 */
export function repositoryKey(url: string): string {
  const written = url.trim().toLowerCase();
  const [, host = "", path = ""] = URL_FORM.exec(written) ?? SCP_FORM.exec(written) ?? [written, written, ""];
  const name = host.replace(/:\d*$/, "");
  return `${HOST_ALIASES[name] ?? name}/${path.replace(/^\/+/, "")}`.replace(/(?:\.git)?\/*$/, "");
}

/** Whether two repository URLs (Argo CD `repoURL`s, Flux GitRepository `url`s) name one repository. */
export const sameRepository = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && repositoryKey(a) === repositoryKey(b);
