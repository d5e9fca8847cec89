const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

/** Stream ids of this service end in a UUID; anything else is not an entity a read model can key. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
