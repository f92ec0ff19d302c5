/**
 * Demo content of the embedded stack: what ada, grace and linus have written. Seeded once, through
 * the key service's own write path, into an empty data folder (see seed.ts).
 */

/** Who may see a demo entry: `group` means the demo group, `shared:<username>` a direct share. */
export type DemoPrivacy = 'private' | 'group' | 'community' | `shared:${string}`;

/** One demo dream or thing. */
export interface DemoEntry {
  kind: 'dream' | 'thing';
  author: string;
  title: string;
  text: string;
  tags: string[];
  themes: string[];
  entities: string[];
  symbols: string[];
  mood: string | null;
  lucidity?: number;
  daysAgo: number;
  privacy: DemoPrivacy;
}

const d = (
  author: string,
  daysAgo: number,
  privacy: DemoPrivacy,
  title: string,
  text: string,
  tags: string[],
  themes: string[],
  entities: string[] = [],
  symbols: string[] = [],
  mood: string | null = null,
  lucidity = 0,
): DemoEntry => ({ kind: 'dream', author, title, text, tags, themes, entities, symbols, mood, lucidity, daysAgo, privacy });

const t = (
  author: string,
  daysAgo: number,
  privacy: DemoPrivacy,
  title: string,
  text: string,
  tags: string[],
  themes: string[],
  entities: string[] = [],
  symbols: string[] = [],
  mood: string | null = null,
): DemoEntry => ({ kind: 'thing', author, title, text, tags, themes, entities, symbols, mood, daysAgo, privacy });

/** Display names of the demo accounts' public profiles. */
export const DEMO_PROFILES: Record<string, string> = {
  ada: 'Ada Lovelace',
  grace: 'Grace Hopper',
  linus: 'Linus Pauling',
};

/** The group the demo accounts share (owned by ada). */
export const DEMO_GROUP = {
  owner: 'ada',
  members: ['grace', 'linus'],
  name: 'Night Writers',
  description: 'Dreams and drafts we trade before breakfast.',
};

/** Dreams and things of the demo accounts. */
export const DEMO_ENTRIES: DemoEntry[] = [
  d('ada', 1, 'private', 'The loom that wove numbers', 'A loom in my grandmother’s attic wove punched cards into a tapestry of equations. Each row was a line of poetry.', ['loom', 'mathematics'], ['creation', 'memory'], ['grandmother', 'attic'], ['tapestry'], 'curious', 2),
  d('ada', 3, 'group', 'Flying over the Thames', 'I flew low over the river at dawn; the bridges were made of brass gears turning slowly.', ['flying', 'river'], ['freedom', 'machines'], ['London', 'Thames'], ['bridge', 'gears'], 'elated', 4),
  d('ada', 5, 'community', 'The engine that dreamt', 'A calculating engine asked me what it feels like to sleep. I could not answer in numbers.', ['engine', 'conversation'], ['machines', 'consciousness'], ['Analytical Engine'], ['mirror'], 'wistful', 1),
  d('ada', 8, 'private', 'Lost in the library', 'Endless shelves; every book was my own notebook from a different year.', ['library', 'books'], ['memory', 'time'], ['library'], ['book'], 'anxious'),
  d('ada', 12, 'group', 'Storm at sea', 'A ship of glass in a storm, and I was calm because I could compute the waves.', ['sea', 'storm'], ['control', 'freedom'], ['ship'], ['wave'], 'calm', 3),
  d('ada', 15, 'shared:grace', 'Letters from Charles', 'Letters arrived written in a cipher only I could read; they were recipes.', ['letters', 'cipher'], ['friendship', 'secrets'], ['Charles'], ['letter'], 'amused'),
  d('ada', 21, 'community', 'Falling upward', 'I fell up into a sky of punched cards, each hole a star.', ['falling', 'stars'], ['freedom', 'creation'], [], ['stars', 'cards'], 'awed', 2),
  d('ada', 30, 'private', 'Mother’s garden', 'The garden had only square flowers and my mother was counting them.', ['garden', 'mother'], ['family', 'order'], ['mother'], ['flower'], 'uneasy'),
  t('ada', 2, 'private', 'Notes on the engine', 'The engine might compose elaborate pieces of music of any degree of complexity.', ['engine', 'music'], ['machines', 'creation'], ['Analytical Engine'], [], 'focused'),
  t('ada', 4, 'group', 'Morning pages', 'Three pages before tea. The dream about the Thames keeps coming back.', ['routine', 'writing'], ['discipline', 'freedom'], ['Thames'], [], 'steady'),
  t('ada', 9, 'community', 'Poetical science', 'Imagination is the discovering faculty, pre-eminently.', ['essay', 'imagination'], ['creation', 'consciousness'], [], [], 'inspired'),
  t('ada', 14, 'private', 'Draft: the weaving chapter', 'The Jacquard loom weaves flowers and leaves; the engine weaves algebraic patterns.', ['draft', 'loom'], ['creation', 'machines'], ['Jacquard'], ['tapestry'], null),
  t('ada', 20, 'group', 'Reading list', 'Somerville, Babbage, Faraday’s letters.', ['reading'], ['learning'], ['Babbage', 'Faraday'], [], null),
  t('ada', 27, 'private', 'Health', 'Slept badly; the numbers kept dancing.', ['health', 'sleep'], ['body'], [], [], 'tired'),
  d('grace', 1, 'private', 'The moth in the machine', 'A moth the size of a bus flew out of the computer and apologised.', ['moth', 'computer'], ['machines', 'humour'], ['Harvard Mark II'], ['moth'], 'amused', 1),
  d('grace', 4, 'group', 'Nanoseconds of wire', 'I was handing out pieces of wire to a crowd, each one a nanosecond long, and they kept getting shorter.', ['wire', 'time'], ['time', 'teaching'], ['crowd'], ['wire'], 'urgent', 2),
  d('grace', 6, 'community', 'The navy ship that compiled', 'A destroyer sailed through a sea of source code and compiled it into waves.', ['ship', 'code'], ['machines', 'freedom'], ['Navy'], ['wave', 'ship'], 'proud', 3),
  d('grace', 10, 'private', 'Clock running backwards', 'Every clock in my office ran counter-clockwise and everyone was early.', ['clock', 'office'], ['time', 'rebellion'], ['office'], ['clock'], 'mischievous'),
  d('grace', 13, 'shared:ada', 'Teaching the machine English', 'I taught a computer to understand English and it answered with a limerick.', ['language', 'computer'], ['machines', 'teaching'], [], ['book'], 'delighted', 2),
  d('grace', 18, 'group', 'Flying the Mark I', 'The Mark I grew wings and we flew it over Cambridge.', ['flying', 'computer'], ['freedom', 'machines'], ['Harvard Mark I', 'Cambridge'], ['wings'], 'elated', 4),
  d('grace', 25, 'private', 'The committee of owls', 'Owls in a committee voted to never change anything.', ['owls', 'committee'], ['rebellion', 'order'], [], ['owl'], 'frustrated'),
  t('grace', 2, 'community', 'It is easier to ask forgiveness', 'than it is to get permission. Notes for the talk.', ['talk', 'leadership'], ['rebellion', 'teaching'], [], [], 'determined'),
  t('grace', 5, 'private', 'COBOL design notes', 'Programs should read like English for the people who maintain them.', ['cobol', 'language'], ['teaching', 'machines'], ['CODASYL'], [], 'focused'),
  t('grace', 11, 'group', 'Lecture: nanoseconds', 'Bring the wires. Bring the microseconds (the coil).', ['lecture', 'time'], ['teaching', 'time'], [], ['wire'], null),
  t('grace', 16, 'private', 'Logbook 1947', 'First actual case of bug being found.', ['logbook', 'bug'], ['machines', 'humour'], ['Harvard Mark II'], ['moth'], 'amused'),
  t('grace', 24, 'community', 'On ships and harbours', 'A ship in port is safe, but that is not what ships are built for.', ['ship', 'quote'], ['freedom', 'rebellion'], [], ['ship'], 'bold'),
  d('linus', 3, 'group', 'The triple helix', 'Three strands of light twisted around each other and hummed.', ['helix', 'light'], ['discovery'], [], ['spiral'], 'excited', 1),
  t('linus', 7, 'community', 'Vitamin C', 'Orange groves in a dream and a strong hunch.', ['health', 'oranges'], ['discovery', 'body'], [], [], 'optimistic'),
];

/** The demo story: ada's things composed into one piece, with a rich-text body. */
export const DEMO_STORY = {
  author: 'ada',
  title: 'Machines that dream',
  privacy: 'group' as const,
  /** Titles of the author's things to compose, in reading order. */
  thingTitles: ['Notes on the engine', 'Poetical science', 'Draft: the weaving chapter'],
  paragraphs: [
    'It began with a loom in an attic, and a question an engine asked me in a dream.',
    'The Analytical Engine weaves algebraic patterns just as the Jacquard loom weaves flowers and leaves.',
    'Imagination is the discovering faculty. Perhaps the engine dreams in numbers, and we in flowers.',
  ],
};
