/**
 * Host name → value, with `*.example.com` entries matching one label under example.com: how the SNI
 * callback and the HTTP edge find a host's certificate and policy. Names are stored lowercase.
 */
export class HostTable<T> {
  private readonly exact = new Map<string, T>();
  private readonly wildcards = new Map<string, T>();

  set(host: string, value: T): void {
    if (host.startsWith("*.")) this.wildcards.set(host.slice(1), value);
    else this.exact.set(host, value);
  }

  delete(host: string): void {
    if (host.startsWith("*.")) this.wildcards.delete(host.slice(1));
    else this.exact.delete(host);
  }

  /** The exact entry, else the wildcard one for the name's parent domain. */
  get(name: string): T | undefined {
    const host = name.toLowerCase();
    const found = this.exact.get(host);
    if (found !== undefined || this.wildcards.size === 0) return found;
    const dot = host.indexOf(".");
    return dot === -1 ? undefined : this.wildcards.get(host.slice(dot));
  }

  clear(): void {
    this.exact.clear();
    this.wildcards.clear();
  }
}
