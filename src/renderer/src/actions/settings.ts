import type { ProcedureInput } from '../../../shared/contract';
import type { Settings } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';

export async function saveSettings(changes: ProcedureInput<'settings.update'>): Promise<Settings> {
  const saved = await keyport.call('settings.update', changes);
  useKeyport.getState().setSettings(saved);
  return saved;
}
