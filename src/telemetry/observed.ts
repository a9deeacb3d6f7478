/**
 * State that observable instruments read when (and only when) a reader collects: counts kept as plain
 * numbers (the hot path adds 1 to a field, it never calls into OpenTelemetry), and gauge sources held
 * weakly (a provider dropped without `stop()` is not kept alive by its gauge).
 *
 * Each set is read by one callback per meter, which combines sources that share an attribute set
 * (two providers with the same `name`): observing the same attributes twice in one collection would
 * make the SDK's cumulative sums wrong.
 */
import type { Attributes, ObservableResult } from "@opentelemetry/api";

/** A monotonic count, incremented in place. */
export interface CountCell {
  value: number;
}

function keyOf(attributes: Attributes): string {
  return JSON.stringify(Object.keys(attributes).sort().map((k) => [k, attributes[k]]));
}

/** Counts by attribute set, for an observable counter. Cells live as long as the set (few: one per name). */
export class CountCells {
  private readonly cells = new Map<string, { attributes: Attributes; cell: CountCell }>();

  /** The cell for `attributes`, shared by everyone who asks with the same attributes. */
  cell(attributes: Attributes): CountCell {
    const key = keyOf(attributes);
    let entry = this.cells.get(key);
    if (entry === undefined) {
      entry = { attributes: { ...attributes }, cell: { value: 0 } };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  private readonly pulls = new Set<() => boolean>();

  /**
   * Runs `pull` before each collection, to move counts kept elsewhere into cells (a cache counting on
   * its own hot path, read only when collected). `pull` returns false once its owner is gone: it is then
   * dropped, and the counts it moved stay (a monotonic sum never goes down). Returns a remover.
   */
  addPull(pull: () => boolean): () => void {
    this.pulls.add(pull);
    return () => this.pulls.delete(pull);
  }

  observe(result: ObservableResult): void {
    for (const pull of this.pulls) {
      try {
        if (!pull()) this.pulls.delete(pull);
      } catch {
        // a broken reader must not stop the others from being reported
      }
    }
    // Zero too: a series that exists before its first increment lets `increase()` see that increment.
    for (const { attributes, cell } of this.cells.values()) result.observe(cell.value, attributes);
  }
}

interface GaugeSource {
  owner: WeakRef<object>;
  read(owner: object): number | undefined;
  attributes(owner: object): Attributes;
}

/** How several sources with one attribute set become one value. */
export type Combine = "min" | "sum";

/** Sources of an observable gauge; each is read at collection through a weakly held owner. */
export class GaugeSources {
  private readonly sources = new Set<GaugeSource>();

  constructor(private readonly combine: Combine) {}

  /**
   * Adds a source; the returned function removes it. `read` and `attributes` get the owner back and
   * should not capture it themselves (that would keep it alive).
   */
  add<Owner extends object>(owner: Owner, read: (owner: Owner) => number | undefined, attributes: (owner: Owner) => Attributes): () => void {
    const source: GaugeSource = {
      owner: new WeakRef(owner),
      read: read as (owner: object) => number | undefined,
      attributes: attributes as (owner: object) => Attributes,
    };
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  get size(): number {
    return this.sources.size;
  }

  observe(result: ObservableResult): void {
    const combined = new Map<string, { attributes: Attributes; value: number }>();
    for (const source of this.sources) {
      const owner = source.owner.deref();
      if (owner === undefined) {
        this.sources.delete(source);
        continue;
      }
      let value: number | undefined;
      let attributes: Attributes;
      try {
        value = source.read(owner);
        attributes = source.attributes(owner);
      } catch {
        continue; // a broken getter must not stop the others from being reported
      }
      if (value === undefined || !Number.isFinite(value)) continue;
      const key = keyOf(attributes);
      const seen = combined.get(key);
      if (seen === undefined) combined.set(key, { attributes, value });
      else seen.value = this.combine === "min" ? Math.min(seen.value, value) : seen.value + value;
    }
    for (const { attributes, value } of combined.values()) result.observe(value, attributes);
  }
}
