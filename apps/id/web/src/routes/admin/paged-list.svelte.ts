import { api } from '../../lib/api';

/**
 * A list the server pages and searches (`?q&page&pageSize`, answering `total`): the search
 * waits for a pause in typing, and an answer that arrives after a newer request is dropped.
 */
export class PagedList<T> {
  q = $state('');
  page = $state(1);
  items = $state<T[] | null>(null);
  total = $state(0);
  error = $state('');
  /** Filters a list takes beside the search, by query parameter; empty ones are left out. */
  filters = $state<Record<string, string>>({});
  #asked = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly path: string,
    private readonly key: string,
    readonly pageSize: number,
  ) {}

  /** Asks for a page; the page number on screen changes with its rows, when they arrive. */
  async load(page = this.page): Promise<void> {
    const asked = ++this.#asked;
    const query = new URLSearchParams({ q: this.q.trim(), page: String(page), pageSize: String(this.pageSize) });
    for (const [name, value] of Object.entries(this.filters)) if (value) query.set(name, value);
    try {
      const answer = await api.get<Record<string, unknown> & { total: number }>(`${this.path}?${query}`);
      if (asked !== this.#asked) return;
      this.items = answer[this.key] as T[];
      this.page = page;
      this.total = answer.total;
      this.error = '';
    } catch (failure) {
      if (asked === this.#asked) this.error = (failure as Error).message;
    }
  }

  /** Call on each keystroke in the search box. */
  search(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.load(1), 250);
  }

  goTo(page: number): void {
    void this.load(page);
  }
}
