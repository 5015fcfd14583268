// The last guard before points leave: every point's free text is scrubbed on its way into the
// sink, whoever built it (PR observations with their titles, event points, bead outcomes).
import type { PointRecord, PointSink } from '../../model/point.ts';
import { scrubPoint } from '../../transforms/scrub-point.ts';
import type { ScrubOptions } from '../../transforms/scrub.ts';

export class ScrubbingPointSink implements PointSink {
  readonly kind: string;

  constructor(
    readonly inner: PointSink & { kind?: string },
    private readonly privacy?: ScrubOptions,
  ) {
    this.kind = inner.kind ?? 'sink';
  }

  write(points: PointRecord[]): Promise<void> {
    return this.inner.write(points.map((p) => scrubPoint(p, {}, this.privacy)));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
