/**
 * Compile-time contract of decodeFrame's result: the payload of a decoded CALL is typed by its
 * action once the action is narrowed, and not before. Every `@ts-expect-error` below marks a
 * line the compiler must reject; test/typing/compile-contracts.test.ts compiles this file with
 * the markers removed and checks that exactly those lines fail. Never executed.
 */
import { decodeFrame } from '../../../src/rpc';

export function narrowing(text: string): string | number {
  const result = decodeFrame(text);
  if (!result.ok) return result.error.ocppCode;
  const { frame } = result;
  // @ts-expect-error a frame of unknown type may be a CALLRESULT, which has no action
  void frame.action;
  if (frame.type !== 2) return frame.messageId;
  // @ts-expect-error the action is not narrowed yet: the payload may be any request
  void frame.payload.chargingStation;
  if (frame.action === 'Heartbeat') {
    // @ts-expect-error a Heartbeat request has no chargingStation
    return frame.payload.chargingStation.vendorName;
  }
  if (frame.action === 'BootNotification') {
    // @ts-expect-error vendorName is a string, not a number
    const vendor: number = frame.payload.chargingStation.vendorName;
    void vendor;
    return frame.payload.chargingStation.vendorName;
  }
  return frame.action;
}
