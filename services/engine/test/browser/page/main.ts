/// <reference lib="dom" />
/**
 * A tiny react-instantsearch page for the browser test (plain `createElement`, so it type-checks
 * with the node project). Connection settings come from the query string:
 * `?port=…&appId=…&key=…&index=…&replica=…`.
 */
import { liteClient } from 'algoliasearch/lite';
// A test fixture rendered in Chromium, not service code: it is the "client nobody here wrote"
// (react-instantsearch) that the engine must serve; eslint.config.js allows React here.
import { createElement as h } from 'react';
import { createRoot } from 'react-dom/client';
import {
  Highlight,
  Hits,
  InstantSearch,
  Pagination,
  RefinementList,
  SearchBox,
  SortBy,
} from 'react-instantsearch';

const q = new URLSearchParams(location.search);
const index = q.get('index') ?? '';
const client = liteClient(q.get('appId') ?? '', q.get('key') ?? '', {
  hosts: [{ url: '127.0.0.1', port: Number(q.get('port')), protocol: 'http', accept: 'read' }],
});

type DreamHit = { objectID: string; title: string; created_at: number };

function Hit({ hit }: { hit: DreamHit }) {
  return h(
    'article',
    { 'data-id': hit.objectID },
    h('h2', null, h(Highlight, { attribute: 'title', hit: hit as never })),
  );
}

function App() {
  return h(
    InstantSearch,
    { searchClient: client, indexName: index, future: { preserveSharedStateOnUnmount: true } },
    h(SearchBox, { placeholder: 'Search dreams' }),
    h(SortBy, {
      items: [
        { label: 'Relevance', value: index },
        { label: 'Oldest first', value: q.get('replica') ?? '' },
      ],
    }),
    h(RefinementList, { attribute: 'tags', searchable: true, searchablePlaceholder: 'Search tags' }),
    h(Hits<DreamHit>, { hitComponent: Hit as never }),
    h(Pagination),
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(h(App));
