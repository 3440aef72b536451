import { echoInput } from '../../../shared/echoInput';
import type { KindDescriptor } from '../../../shared/model';
import { KeyportError } from '../errors';
import { anacondaProvider } from './anaconda/anacondaProvider';
import { edsProvider } from './eds/edsProvider';
import { jupyterhubProvider } from './jupyterhub/jupyterhubProvider';
import { npmProvider } from './npm/npmProvider';
import { oidcProvider } from './oidc/oidcProvider';
import type { Provider } from './provider';
import { tapisProvider } from './tapis/tapisProvider';
import { tapis3Provider } from './tapis3/tapis3Provider';

/** The one list of server kinds. Adding a kind means adding its module here. */
const PROVIDERS: readonly Provider[] = [edsProvider, tapisProvider, anacondaProvider, oidcProvider, npmProvider, tapis3Provider, jupyterhubProvider];

export interface ProviderRegistry {
  get(kind: string): Provider;
  descriptors(): KindDescriptor[];
}

export function createProviderRegistry(providers: readonly Provider[] = PROVIDERS): ProviderRegistry {
  const byKind = new Map(providers.map((p) => [p.descriptor.kind, p]));
  return {
    get(kind) {
      const provider = byKind.get(kind);
      if (!provider) {
        throw new KeyportError('UNSUPPORTED', `Keyport does not know servers of kind “${echoInput(kind)}”.`, {
          hint: `Choose one of: ${[...byKind.keys()].join(', ')}.`,
          field: 'kind',
        });
      }
      return provider;
    },
    descriptors: () => providers.map((p) => p.descriptor),
  };
}
