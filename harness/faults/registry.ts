import type { FaultDefinition } from './fault.js';

const definitions = new Map<string, FaultDefinition<any, any>>();

export function registerFault<P extends object, C>(def: FaultDefinition<P, C>): FaultDefinition<P, C> {
  if (definitions.has(def.name)) throw new Error(`fault ${def.name} is registered twice`);
  definitions.set(def.name, def);
  return def;
}

export function faultDefinition(name: string): FaultDefinition<any, any> | undefined {
  return definitions.get(name);
}

export function registeredFaults(): FaultDefinition<any, any>[] {
  return [...definitions.values()];
}
