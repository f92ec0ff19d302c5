/**
 * A tiny react-instantsearch page for the browser test. Connection settings come from the query
 * string: `?port=…&appId=…&key=…&index=…&replica=…`.
 */
import { liteClient } from 'algoliasearch/lite';
import { createRoot } from 'react-dom/client';
import { Highlight, Hits, InstantSearch, Pagination, RefinementList, SearchBox, SortBy } from 'react-instantsearch';

const q = new URLSearchParams(location.search);
const index = q.get('index')!;
const client = liteClient(q.get('appId')!, q.get('key')!, {
  hosts: [{ url: '127.0.0.1', port: Number(q.get('port')), protocol: 'http', accept: 'read' }],
});

type DreamHit = { objectID: string; title: string; created_at: number };

function Hit({ hit }: { hit: DreamHit }) {
  return (
    <article data-id={hit.objectID}>
      <h2>
        <Highlight attribute="title" hit={hit as never} />
      </h2>
    </article>
  );
}

function App() {
  return (
    <InstantSearch searchClient={client} indexName={index} future={{ preserveSharedStateOnUnmount: true }}>
      <SearchBox placeholder="Search dreams" />
      <SortBy
        items={[
          { label: 'Relevance', value: index },
          { label: 'Oldest first', value: q.get('replica')! },
        ]}
      />
      <RefinementList attribute="tags" searchable searchablePlaceholder="Search tags" />
      <Hits hitComponent={Hit} />
      <Pagination />
    </InstantSearch>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
