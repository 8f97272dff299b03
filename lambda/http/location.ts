/** The `Location` of a created resource: its collection's path and its id. */
export function locationOf(collectionPath: string, id: string): string {
  return `${collectionPath}/${id}`;
}
