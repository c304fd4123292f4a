import { fromPromise, fromCallback, type EventObject } from 'xstate';

/**
 * The declared shape of an actor a machine invokes. Machines are pure; the runtime
 * supplies the real implementation with `.provide()`, and tests supply stubs. Running
 * a machine without providing it fails loudly, naming the missing actor.
 */
export const promiseActor = <TOutput, TInput>(name: string) =>
  fromPromise<TOutput, TInput>(async () => {
    throw new Error(`actor "${name}" was not provided: create the machine through actors/runtime`);
  });

/** Like promiseActor, for actors that stream events back to the machine. */
export const callbackActor = <TInput, TReceived extends EventObject = EventObject>(name: string) =>
  fromCallback<TReceived, TInput>(() => {
    throw new Error(`actor "${name}" was not provided: create the machine through actors/runtime`);
  });
