/** The HTTP-01 challenges in flight: token → key authorization, answered by the proxy's plain-HTTP port. */
export class Challenges {
  private readonly answers = new Map<string, string>();

  add(token: string, keyAuthorization: string): void {
    this.answers.set(token, keyAuthorization);
  }

  remove(token: string): void {
    this.answers.delete(token);
  }

  answer(token: string): string | undefined {
    return this.answers.get(token);
  }
}
