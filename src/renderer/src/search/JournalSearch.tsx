import { useEffect, useMemo, useState } from 'react';
import {
  Configure,
  Highlight,
  Hits,
  InstantSearch,
  Pagination,
  RefinementList,
  SearchBox,
  Snippet,
} from 'react-instantsearch';
import type { Hit as AlgoliaHit } from 'instantsearch.js';
import type { NewDreamFlowApi, SearchKey } from '../../../shared/ipc';
import { indexPrefixOf, RotatingSearchClient } from './search-client';

type Kind = 'dreams' | 'things';

interface EntryHit {
  title: string;
  description?: string;
  body?: string;
  /** Unix seconds. */
  dream_date?: number;
  /** Unix seconds. */
  thing_date?: number;
  privacy?: 'private' | 'group' | 'community';
  author?: { display_name?: string };
}

const PRIVACY_LABEL: Record<NonNullable<EntryHit['privacy']>, string> = {
  private: 'Private',
  group: 'Group',
  community: 'Community',
};

const dateFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'long', day: 'numeric' });

function EntryCard({ hit, kind }: { hit: AlgoliaHit<EntryHit>; kind: Kind }) {
  const date = kind === 'dreams' ? hit.dream_date : hit.thing_date;
  return (
    <article className="entry" aria-label={hit.title}>
      <h3>
        <Highlight attribute="title" hit={hit} />
      </h3>
      <p className="meta">
        {hit.author?.display_name ? <bdi>{hit.author.display_name}</bdi> : null}
        {date !== undefined ? (
          <time dateTime={new Date(date * 1000).toISOString()}>
            {dateFormat.format(new Date(date * 1000))}
          </time>
        ) : null}
        {hit.privacy ? <span className={`badge ${hit.privacy}`}>{PRIVACY_LABEL[hit.privacy]}</span> : null}
      </p>
      <p className="excerpt">
        <Snippet attribute={kind === 'dreams' ? 'description' : 'body'} hit={hit} />
      </p>
    </article>
  );
}

/**
 * Searches the writer's journal straight against Algolia (or the local engine) with the secured
 * key main hands over: the key itself limits results to what this person may see.
 */
export function JournalSearch({ api, searchKey }: { api: NewDreamFlowApi; searchKey: SearchKey }) {
  const [kind, setKind] = useState<Kind>('dreams');
  const [client] = useState(() => new RotatingSearchClient(searchKey, api));
  useEffect(() => client.setKey(searchKey), [client, searchKey]);
  const indexName = useMemo(() => `${indexPrefixOf(searchKey.indices)}${kind}`, [searchKey.indices, kind]);

  return (
    <section className="journal" aria-label="Journal">
      <div className="tabs" role="tablist" aria-label="What to search">
        {(['dreams', 'things'] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={kind === k} onClick={() => setKind(k)}>
            {k === 'dreams' ? 'Dreams' : 'Things'}
          </button>
        ))}
      </div>
      <InstantSearch
        searchClient={client}
        indexName={indexName}
        key={indexName}
        future={{ preserveSharedStateOnUnmount: true }}
      >
        <Configure
          filters="NOT trashed:true"
          hitsPerPage={10}
          // Only what a card shows: answers stay small on slow networks.
          attributesToRetrieve={[
            'title',
            kind === 'dreams' ? 'dream_date' : 'thing_date',
            'privacy',
            'author',
          ]}
        />
        <SearchBox placeholder={kind === 'dreams' ? 'Search your dreams…' : 'Search your things…'} />
        <p className="search-hint">
          <kbd>"a phrase"</kbd> finds those words in a row · <kbd>-word</kbd> leaves out entries with it
        </p>
        <div className="results">
          <aside aria-label="Themes">
            <h3>Themes</h3>
            <RefinementList attribute="themes" searchable searchablePlaceholder="Find a theme" limit={8} />
          </aside>
          <div>
            <Hits<EntryHit> hitComponent={({ hit }) => <EntryCard hit={hit} kind={kind} />} />
            <Pagination />
          </div>
        </div>
      </InstantSearch>
    </section>
  );
}
