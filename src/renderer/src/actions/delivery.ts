import type { ProcedureInput } from '../../../shared/contract';
import type { DeliveryResult, DeliveryStep, DeliveryTargetView, RotationResult, WithdrawResult } from '../../../shared/model';
import { keyport } from '../api';

/** Delivery of saved tokens to machines over SSH. A change to a saved token (a rotation, a
 * withdrawal) brings main's `secrets.changed`, which reloads the saved list (events.ts). */
export const deliveryTargets = (secretId: string): Promise<DeliveryTargetView[]> => keyport.call('delivery.targets', { secretId });
export const sendDelivery = (request: ProcedureInput<'delivery.send'>): Promise<DeliveryResult> => keyport.call('delivery.send', request);
export const cancelDelivery = (secretId: string): Promise<void> => keyport.call('delivery.cancel', { secretId });
export const forgetTarget = (secretId: string, targetId: string): Promise<void> => keyport.call('delivery.forget', { secretId, targetId });
export const withdrawDelivery = (secretId: string): Promise<WithdrawResult[]> => keyport.call('delivery.withdraw', { secretId });
/** `password`: the account password a kind needs to create and revoke tokens (npm), asked for by
 * the dialog and used for this rotation only. */
export const rotateDelivered = (secretId: string, password?: string | null): Promise<RotationResult> =>
  keyport.call('delivery.rotate', { secretId, ...(password ? { password } : {}) });
export const rollBackRotation = (secretId: string, password?: string | null): Promise<RotationResult> =>
  keyport.call('delivery.rollBack', { secretId, ...(password ? { password } : {}) });

/** The step a delivery of `secretId` is at, as main reports it. Returns the unsubscribe. */
export const onDeliveryProgress = (secretId: string, listener: (step: DeliveryStep) => void): (() => void) =>
  keyport.on('delivery.progress', (progress) => {
    if (progress.secretId === secretId) listener(progress.step);
  });
