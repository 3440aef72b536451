import type { KindDescriptor, Settings } from './model';

/** The format a kind's tokens are copied in first: the person's choice in Settings, if the kind
 * still offers it, else the kind's own default. */
export function preferredCopyFormat(kind: KindDescriptor, settings: Settings | null): string {
  const chosen = settings?.defaultCopyFormats[kind.kind];
  return chosen && kind.copyFormats.some((f) => f.id === chosen) ? chosen : kind.defaultCopyFormat;
}
