import { randomUUID } from 'node:crypto';
import { profileObjectId } from '@newdreamflow/domain';
import { obtainTokens } from '@newdreamflow/dev-idp';
import { DEMO_ENTRIES, DEMO_GROUP, DEMO_PROFILES, DEMO_STORY, type DemoEntry } from './content';

/** Where and as whom to seed. */
export interface SeedOptions {
  keyserviceUrl: string;
  issuer: string;
  audience: string;
  scope: string;
  accounts: ReadonlyArray<{ username: string; password: string; sub: string }>;
  /** Unix seconds "now" (entry dates count back from it). */
  now?: number;
}

/** What was written. */
export interface SeedResult {
  records: number;
  groupId: string;
  storyId: string;
}

/**
 * Seeds the demo content through the key service's HTTP API with real access tokens from the
 * dev IdP, so every record goes through the same validation, ACL computation and pattern
 * maintenance as the app's writes.
 */
export async function seedDemo(options: SeedOptions): Promise<SeedResult> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const account = (username: string) => {
    const a = options.accounts.find((x) => x.username === username);
    if (!a) throw new Error(`demo account ${username} is not configured in the IdP`);
    return a;
  };
  const tokens = new Map<string, string>();
  for (const username of Object.keys(DEMO_PROFILES)) {
    const a = account(username);
    const t = await obtainTokens({
      issuer: options.issuer,
      username: a.username,
      password: a.password,
      resource: options.audience,
      scope: options.scope,
    });
    tokens.set(username, t.access_token);
  }
  const call = async (username: string, method: string, path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${options.keyserviceUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.get(username) ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json: unknown = await res.json();
    if (!res.ok)
      throw new Error(`seeding ${method} ${path} as ${username}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const mutate = async (username: string, mutations: unknown[]): Promise<void> => {
    const out = (await call(username, 'POST', '/v1/mutations', { mutations })) as {
      results: Array<{ status: number; body: unknown }>;
    };
    const failed = out.results.find((r) => r.status >= 300);
    if (failed) throw new Error(`seeding as ${username}: ${failed.status} ${JSON.stringify(failed.body)}`);
  };

  let records = 0;
  for (const [username, display_name] of Object.entries(DEMO_PROFILES)) {
    await call(username, 'PUT', `/v1/records/profiles_public/${profileObjectId(account(username).sub)}`, {
      record: { display_name },
      mutationId: randomUUID(),
    });
    records++;
  }

  const groupId = randomUUID();
  await call(DEMO_GROUP.owner, 'PUT', `/v1/records/groups/${groupId}`, {
    record: { name: DEMO_GROUP.name, description: DEMO_GROUP.description },
    mutationId: randomUUID(),
  });
  records++;
  for (const member of DEMO_GROUP.members) {
    await call(DEMO_GROUP.owner, 'POST', `/v1/groups/${groupId}/members`, { user_id: account(member).sub });
  }

  const idsByTitle = new Map<string, string>();
  const byAuthor = new Map<string, DemoEntry[]>();
  for (const e of DEMO_ENTRIES) byAuthor.set(e.author, [...(byAuthor.get(e.author) ?? []), e]);
  for (const [username, entries] of byAuthor) {
    const mutations = entries.map((e) => {
      const id = randomUUID();
      idsByTitle.set(`${username}\n${e.title}`, id);
      const sharing =
        e.privacy === 'group'
          ? { privacy: 'group', group_ids: [groupId] }
          : e.privacy.startsWith('shared:')
            ? { privacy: 'private', shared_with_user_ids: [account(e.privacy.slice('shared:'.length)).sub] }
            : { privacy: e.privacy };
      const date = now - e.daysAgo * 86_400;
      const common = {
        title: e.title,
        tags: e.tags,
        themes: e.themes,
        entities: e.entities,
        symbols: e.symbols,
        mood: e.mood,
        ...sharing,
      };
      const record =
        e.kind === 'dream'
          ? { ...common, description: e.text, dream_date: date, lucidity_level: e.lucidity ?? 0 }
          : { ...common, body: e.text, thing_date: date };
      return {
        op: 'create',
        index: e.kind === 'dream' ? 'dreams' : 'things',
        id,
        record,
        mutationId: randomUUID(),
      };
    });
    await mutate(username, mutations);
    records += mutations.length;
  }

  const storyId = randomUUID();
  const thingIds = DEMO_STORY.thingTitles.map((title) => {
    const id = idsByTitle.get(`${DEMO_STORY.author}\n${title}`);
    if (!id) throw new Error(`demo story: no thing titled ${title}`);
    return id;
  });
  const body = JSON.stringify({
    type: 'doc',
    content: DEMO_STORY.paragraphs.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
  });
  await call(DEMO_STORY.author, 'PUT', `/v1/records/stories/${storyId}`, {
    record: {
      title: DEMO_STORY.title,
      thing_ids: thingIds,
      body,
      privacy: DEMO_STORY.privacy,
      group_ids: [groupId],
    },
    mutationId: randomUUID(),
  });
  records++;
  return { records, groupId, storyId };
}
