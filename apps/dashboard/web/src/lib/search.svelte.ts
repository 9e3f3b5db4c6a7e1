// The search box's text, shared by the bar that edits it and the sections that filter by it.
export { matchesItem } from './search-match';

export const search = $state({ query: '' });
