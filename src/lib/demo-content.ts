// The demo newsroom that `npm run demo` serves: a small independent news site with a
// two-level category tree, several authors, tags, 64 articles with sub-headings (some
// syndicated with a source), drafts, scheduled posts and threaded comments. Everything is
// generated deterministically from the hand-written material below: the same `now` always
// gives the same content.

export interface DemoAuthor { slug: string, name: string, bio: string, avatar_url: string | null, website: string | null, email: string }
export interface DemoCategory { slug: string, name: string, description: string, parent: string | null }
export interface DemoTag { slug: string, name: string }
export interface DemoPost {
  slug: string
  title: string
  excerpt: string | null
  content_html: string
  author: string
  categories: string[]
  tags: string[]
  status: 'published' | 'draft' | 'scheduled'
  published_at: string
  featured_image: { url: string, alt: string } | null
  source: { url: string, name: string } | null
  canonical_url: string | null
  comment_status: 'open' | 'closed'
}
export interface DemoComment {
  key: string
  post: string
  parent: string | null
  author_name: string
  author_email: string
  author_url: string | null
  content: string
  status: 'approved' | 'pending' | 'spam'
  created_at: string
}
export interface DemoContent {
  site: { title: string, description: string, language: string, timezone: string }
  authors: DemoAuthor[]
  categories: DemoCategory[]
  tags: DemoTag[]
  posts: DemoPost[]
  comments: DemoComment[]
}

const AUTHORS: DemoAuthor[] = [
  { slug: 'maria-lopez', name: 'Maria López', bio: 'Diplomatic correspondent. Covered three NATO summits and too many late-night press conferences.', avatar_url: 'https://images.example.com/avatars/maria-lopez.jpg', website: 'https://marialopez.example.com', email: 'maria@example.com' },
  { slug: 'tom-okafor', name: 'Tom Okafor', bio: 'Politics editor. Follows the money, the votes and the people who count both.', avatar_url: 'https://images.example.com/avatars/tom-okafor.jpg', website: null, email: 'tom@example.com' },
  { slug: 'ingrid-berg', name: 'Ingrid Berg', bio: 'Science and climate reporter, formerly a glaciologist in Tromsø.', avatar_url: 'https://images.example.com/avatars/ingrid-berg.jpg', website: null, email: 'ingrid@example.com' },
  { slug: 'sam-chen', name: 'Sam Chen', bio: 'Technology writer covering AI, security and the companies that sell both.', avatar_url: 'https://images.example.com/avatars/sam-chen.jpg', website: 'https://samchen.example.com', email: 'sam@example.com' },
  { slug: 'lucia-ferreira', name: 'Lúcia Ferreira', bio: 'Business and markets correspondent based in São Paulo.', avatar_url: 'https://images.example.com/avatars/lucia-ferreira.jpg', website: null, email: 'lucia@example.com' },
  { slug: 'dan-murphy', name: 'Dan Murphy', bio: 'Sport and culture. Will talk about either for longer than you would like.', avatar_url: null, website: null, email: 'dan@example.com' }
]

const CATEGORIES: DemoCategory[] = [
  { slug: 'politics', name: 'Politics', description: 'Governments, parliaments and the people who run them.', parent: null },
  { slug: 'elections', name: 'Elections', description: 'Campaigns, polls and results.', parent: 'politics' },
  { slug: 'policy', name: 'Policy', description: 'What governments decide and what it changes.', parent: 'politics' },
  { slug: 'world', name: 'World', description: 'International news and diplomacy.', parent: null },
  { slug: 'europe', name: 'Europe', description: 'News from across Europe.', parent: 'world' },
  { slug: 'americas', name: 'Americas', description: 'News from North and South America.', parent: 'world' },
  { slug: 'technology', name: 'Technology', description: 'How technology changes work and life.', parent: null },
  { slug: 'ai', name: 'AI', description: 'Artificial intelligence, its makers and its critics.', parent: 'technology' },
  { slug: 'security', name: 'Security', description: 'Breaches, defences and the people behind them.', parent: 'technology' },
  { slug: 'science', name: 'Science', description: 'Research, discoveries and the planet.', parent: null },
  { slug: 'climate', name: 'Climate', description: 'The warming world and the response to it.', parent: 'science' },
  { slug: 'space', name: 'Space', description: 'Missions, telescopes and what they find.', parent: 'science' },
  { slug: 'business', name: 'Business', description: 'Companies, markets and the economy.', parent: null },
  { slug: 'markets', name: 'Markets', description: 'Stocks, bonds, currencies and rates.', parent: 'business' },
  { slug: 'culture', name: 'Culture', description: 'Film, books, music and the arts.', parent: null },
  { slug: 'film', name: 'Film', description: 'New releases, festivals and the industry.', parent: 'culture' },
  { slug: 'sport', name: 'Sport', description: 'Results, transfers and the stories behind them.', parent: null },
  { slug: 'football', name: 'Football', description: 'The beautiful game, at home and abroad.', parent: 'sport' }
]

const TAGS: DemoTag[] = [
  ['ukraine', 'Ukraine'], ['russia', 'Russia'], ['nato', 'NATO'], ['united-states', 'United States'], ['european-union', 'European Union'],
  ['diplomacy', 'Diplomacy'], ['elections-2026', 'Elections 2026'], ['inflation', 'Inflation'], ['interest-rates', 'Interest rates'],
  ['artificial-intelligence', 'Artificial intelligence'], ['cybersecurity', 'Cybersecurity'], ['climate-change', 'Climate change'],
  ['renewables', 'Renewables'], ['nasa', 'NASA'], ['brazil', 'Brazil'], ['switzerland', 'Switzerland'], ['premier-league', 'Premier League'],
  ['festivals', 'Festivals'], ['analysis', 'Analysis'], ['interview', 'Interview']
].map(([slug, name]) => ({ slug, name }))

interface Topic {
  category: string
  author: string
  tags: string[]
  headings: string[]
  quotes: string[]
  paragraphs: string[]
}

// Per-topic material: every post of a topic draws its body from the same vocabulary, so
// search and related posts have something real to work with.
const TOPICS: Record<string, Topic> = {
  diplomacy: {
    category: 'world',
    author: 'maria-lopez',
    tags: ['diplomacy', 'nato', 'russia', 'ukraine', 'united-states'],
    headings: ['What was agreed, and what was not', 'A written answer next week', 'Allies watch closely', 'The view from Kyiv', 'What comes next'],
    quotes: ['We did not expect any breakthroughs today, but we are on a clearer path to understanding each other\'s concerns.', 'This is not a negotiation. It is a chance to see whether diplomacy still has room to work.', 'There are no minor incursions. Any crossing of the border is an invasion.'],
    paragraphs: [
      'The two delegations met for ninety minutes in a lakeside hotel in Geneva, and both sides left saying the talks had been frank and useful, the diplomatic shorthand for a meeting that changed very little.',
      'Western officials said the aim was to test whether Moscow was serious about de-escalation while tens of thousands of troops remain massed near the Ukrainian border.',
      'The United States has promised to put its response to Russia\'s security demands in writing, something the Kremlin has asked for publicly for weeks.',
      'Allies in Eastern Europe, several of whom share a border with Russia or Belarus, have pressed Washington to rule out any concessions made over their heads.',
      'A senior Ukrainian official warned that continuing talks could simply buy Moscow time to prepare a military offensive, and urged partners to speed up deliveries of defensive equipment.',
      'Moscow repeated its demand that NATO never admit Ukraine and that the alliance pull forces back to where they stood in 1997, a position Western capitals call a non-starter.',
      'Sanctions remain the main lever. European diplomats say a package covering banks, energy exports and technology is ready to be adopted within days if troops cross the border.',
      'Analysts noted that the tone of the public statements was calmer than a week ago, but warned that tone is a poor guide to the decisions being made in the Kremlin.'
    ]
  },
  elections: {
    category: 'elections',
    author: 'tom-okafor',
    tags: ['elections-2026', 'analysis', 'united-states'],
    headings: ['Where the votes are', 'The turnout question', 'What the polls miss', 'The campaign\'s final week'],
    quotes: ['Every vote in this district will be counted twice before anyone claims victory.', 'People are tired, but they are not switched off. That is the paradox of this campaign.'],
    paragraphs: [
      'Polling stations opened at seven in the morning and queues had formed well before, with election officials reporting the highest early turnout in a decade in several districts.',
      'The race has tightened over the past fortnight, with the incumbent\'s lead shrinking to within the margin of error in most national polls.',
      'Campaign strategists on both sides say the result will be decided in a handful of suburban constituencies where voters are unusually undecided this late in the race.',
      'Postal ballots are expected to make up almost a third of the total, which means the final count could take several days in the closest seats.',
      'Both main candidates spent the last weekend of the campaign on the road, holding rallies in towns that had voted differently at each of the past three elections.',
      'Independent observers praised the count\'s transparency but called for clearer rules on the publication of partial results on election night.'
    ]
  },
  policy: {
    category: 'policy',
    author: 'tom-okafor',
    tags: ['inflation', 'analysis', 'european-union'],
    headings: ['Who pays', 'The fine print', 'Opposition response', 'Will it work?'],
    quotes: ['A policy that looks cheap on paper can be very expensive in a household budget.', 'We are asking everyone to carry some of the weight, and the strongest to carry the most.'],
    paragraphs: [
      'The government published the bill on Tuesday after months of consultation, promising that most households would see lower energy bills by the end of the winter.',
      'Economists broadly welcomed the targeting of support at lower-income households, but questioned whether the cap on prices would survive another rise in wholesale costs.',
      'The opposition said the plan came too late and did too little for renters, who make up a growing share of voters in the cities.',
      'Parliament\'s budget office estimated the cost at just under one per cent of national income over two years, to be financed partly by a temporary levy on energy companies\' windfall profits.',
      'Business groups asked for clarity on how long the measures would last, warning that uncertainty was holding back investment decisions.',
      'Ministers insisted the scheme would be reviewed every quarter and scaled back as soon as prices fell.'
    ]
  },
  americas: {
    category: 'americas',
    author: 'lucia-ferreira',
    tags: ['brazil', 'united-states', 'analysis'],
    headings: ['In São Paulo', 'The regional picture', 'Washington\'s role', 'What to watch'],
    quotes: ['The rainforest is not a local issue. What happens here changes rainfall a thousand kilometres away.', 'Trade has always been the quiet engine of this relationship.'],
    paragraphs: [
      'In São Paulo, the country\'s financial capital, the news was greeted with cautious optimism by business leaders who had feared a sharper slowdown.',
      'Deforestation figures published by the space agency showed the lowest rate of clearing in the Amazon for six years, a result officials credited to tougher enforcement.',
      'Regional leaders are due to meet next month to discuss a common approach to migration, energy and the protection of forests that span several borders.',
      'Washington has signalled that it wants closer cooperation on critical minerals, a market in which the region holds a large share of known reserves.',
      'Farmers in the south continue to struggle with a third year of drought, which has cut harvests of soy and maize and pushed up food prices in the cities.',
      'Opposition parties accused the government of taking credit for trends that began years ago, and called for an independent review of the data.'
    ]
  },
  ai: {
    category: 'ai',
    author: 'sam-chen',
    tags: ['artificial-intelligence', 'analysis', 'european-union'],
    headings: ['How the model works', 'The regulators\' view', 'What it means for jobs', 'Open questions'],
    quotes: ['A model that sounds confident is not the same as a model that is right.', 'We want rules that protect people without freezing the research in place.'],
    paragraphs: [
      'The company says its new language model was trained on a larger and more carefully filtered set of data than its predecessor, and makes fewer factual errors in independent tests.',
      'Researchers who had early access said the system was strikingly good at summarising long documents but still invented sources when asked for citations.',
      'European regulators are finalising rules that will require developers of the most capable models to publish summaries of their training data and test their systems for risks.',
      'Employers are experimenting with AI assistants for customer service, coding and drafting, though surveys suggest few have yet measured the effect on productivity.',
      'Critics warn that the compute needed to train frontier models concentrates power in a handful of companies that can afford specialised chips and vast data centres.',
      'Open-source alternatives have narrowed the gap, letting universities and smaller firms run capable models on their own hardware.'
    ]
  },
  security: {
    category: 'security',
    author: 'sam-chen',
    tags: ['cybersecurity', 'analysis'],
    headings: ['How the attackers got in', 'Who was affected', 'The response', 'Lessons for everyone else'],
    quotes: ['Most breaches still start with a password that was reused somewhere else.', 'Paying the ransom buys you a promise from a criminal. That is all it buys.'],
    paragraphs: [
      'Investigators believe the attackers gained access through a stolen password for a contractor\'s account that was not protected by a second factor.',
      'Once inside the network, the group moved slowly for several weeks, copying data before deploying ransomware that encrypted thousands of machines overnight.',
      'The company said it had restored most systems from backups and had not paid a ransom, but warned customers that personal data may have been taken.',
      'Security agencies issued a joint advisory describing the group\'s methods and urging organisations to patch a flaw in widely used remote-access software.',
      'Insurers have tightened the conditions of cyber policies, requiring multi-factor authentication and tested backups before they will offer cover.',
      'Experts said the attack showed again that basic hygiene, not exotic defences, stops the majority of intrusions.'
    ]
  },
  climate: {
    category: 'climate',
    author: 'ingrid-berg',
    tags: ['climate-change', 'renewables', 'switzerland'],
    headings: ['What the data show', 'On the glacier', 'The energy question', 'What scientists want next'],
    quotes: ['The ice does not negotiate. It responds to temperature, and the temperature keeps rising.', 'Every tenth of a degree we avoid matters for the people living downstream.'],
    paragraphs: [
      'Swiss glaciers lost another four per cent of their remaining volume this summer, after a winter with little snow was followed by weeks of record heat in the Alps.',
      'Researchers measuring the ice near Zürich\'s water catchments said some smaller glaciers would disappear entirely within two decades on current trends.',
      'Global average temperatures over the past twelve months were the highest in the instrumental record, driven by greenhouse gas emissions and a strong El Niño.',
      'Wind and solar power supplied more electricity than coal across the European Union for the first time last year, a milestone analysts called symbolic but significant.',
      'Cities are investing in trees, shade and cooling centres after heatwaves that scientists say have become several times more likely because of warming.',
      'Negotiators preparing for the next climate summit say financing for poorer countries to adapt to floods and droughts will again be the hardest issue.'
    ]
  },
  space: {
    category: 'space',
    author: 'ingrid-berg',
    tags: ['nasa', 'analysis'],
    headings: ['The mission', 'What the telescope saw', 'The next launch', 'Why it matters'],
    quotes: ['Every image we get back changes what we thought we knew about the early universe.', 'Going back to the Moon is the rehearsal. Mars is the performance.'],
    paragraphs: [
      'The space telescope\'s latest images show galaxies that formed only a few hundred million years after the Big Bang, earlier than most models had predicted.',
      'Engineers completed a full rehearsal of the lunar mission\'s countdown, clearing the way for a crewed flight around the Moon next year.',
      'The rocket\'s heat shield, which eroded more than expected on the uncrewed test flight, has been redesigned and tested in a wind tunnel.',
      'A small probe launched by a university team reached orbit on its first attempt, carrying an experiment to measure radiation in low Earth orbit.',
      'Astronomers warned that the growing number of satellites is leaving streaks across long-exposure images taken by observatories on the ground.',
      'The agency\'s budget request includes funding for a sample-return mission that would bring rocks from Mars back to Earth in the next decade.'
    ]
  },
  markets: {
    category: 'markets',
    author: 'lucia-ferreira',
    tags: ['inflation', 'interest-rates', 'brazil'],
    headings: ['The numbers', 'What the central bank said', 'How markets reacted', 'The outlook'],
    quotes: ['Inflation is coming down, but the last mile is always the hardest.', 'Markets had priced in a cut. What they got was patience.'],
    paragraphs: [
      'Consumer prices rose by 3.1 per cent in the year to October, down from 3.6 per cent a month earlier, as energy costs fell and food inflation eased.',
      'The central bank kept its main interest rate unchanged but signalled that cuts could begin in the spring if inflation continued to fall.',
      'Government bond yields dipped after the announcement and the currency weakened slightly against the dollar, while bank shares fell.',
      'Economists said the labour market remained tight, with wage growth still running ahead of the rate the central bank considers consistent with its target.',
      'Retailers reported a slower start to the holiday season, with shoppers trading down to cheaper brands and waiting for discounts.',
      'In São Paulo, the stock index closed at a record high, helped by higher commodity prices and foreign investors returning to emerging markets.'
    ]
  },
  film: {
    category: 'film',
    author: 'dan-murphy',
    tags: ['festivals', 'interview'],
    headings: ['The film', 'Behind the camera', 'The festival circuit', 'Verdict'],
    quotes: ['I wanted the audience to feel the silence as much as the noise.', 'Festivals are where small films find the friends they need.'],
    paragraphs: [
      'The director\'s third feature premiered to a standing ovation at the festival, where it is now considered a favourite for the main prize.',
      'Shot in black and white over six weeks in a fishing village, the film follows a family whose boat is seized after a dispute over quotas.',
      'The lead performance, by an actor with no previous screen credits, has been singled out by critics for its restraint.',
      'Independent distributors say audiences are returning to cinemas, but mostly for big franchise releases, making life harder for smaller films.',
      'The festival this year added a section for films made by first-time directors, with a prize that includes funding for a second feature.',
      'Streaming services were again among the most active buyers, signing deals for several titles before their first public screenings.'
    ]
  },
  football: {
    category: 'football',
    author: 'dan-murphy',
    tags: ['premier-league', 'analysis'],
    headings: ['How the match was won', 'The manager\'s view', 'The table', 'Next up'],
    quotes: ['We played with courage. That is all I can ask of them.', 'A point away from home in this league is never a bad result.'],
    paragraphs: [
      'A late header from the captain settled a tense match, lifting the side into the top four for the first time since the opening weekend.',
      'The visitors had the better of the first half and hit the woodwork twice before the home goalkeeper made a remarkable double save.',
      'The manager made three changes at half-time, switching to a back three that gave his wing-backs more room to attack.',
      'The transfer window opens in January, and the club is expected to look for a striker after injuries left it short of options.',
      'Supporters marched before kick-off in protest at rising ticket prices, unfurling banners in the away end during the first minute.',
      'With a game in hand, the title race remains open, although the leaders\' goal difference gives them a significant cushion.'
    ]
  }
}

interface Story { topic: keyof typeof TOPICS, slug: string, title: string, lede: string, extraCategories?: string[], extraTags?: string[] }

// One entry per article: its own headline and opening paragraph; the rest comes from its topic.
const STORIES: Story[] = [
  { topic: 'diplomacy', slug: 'blinken-warns-russia', title: 'Blinken warns any Russian invasion of Ukraine will meet a swift, united response after Lavrov meeting', lede: 'US Secretary of State Antony Blinken said on Friday that any Russian forces crossing Ukraine\'s border would be met with a swift, severe and united response, after ninety minutes of talks with Sergei Lavrov in Geneva produced no breakthrough.', extraCategories: ['politics', 'europe'] },
  { topic: 'diplomacy', slug: 'nato-allies-reinforce-eastern-flank', title: 'NATO allies send more troops to the eastern flank as talks stall', lede: 'Several NATO members announced on Monday that they would send additional troops, ships and aircraft to Eastern Europe, saying the move was defensive and a response to Russia\'s build-up near Ukraine.', extraCategories: ['europe'] },
  { topic: 'diplomacy', slug: 'eu-prepares-sanctions-package', title: 'EU prepares sanctions package to be ready within days', lede: 'European Union foreign ministers agreed to finish work on a package of economic sanctions against Russia that could be adopted within days of any military escalation.', extraCategories: ['europe'] },
  { topic: 'diplomacy', slug: 'kyiv-asks-for-faster-deliveries', title: 'Kyiv asks partners to speed up deliveries of defensive weapons', lede: 'Ukraine\'s foreign minister urged Western partners to accelerate deliveries of air-defence systems and anti-tank weapons, warning that diplomacy alone would not deter an attack.' },
  { topic: 'diplomacy', slug: 'geneva-talks-what-we-learned', title: 'Geneva talks: five things we learned from a day of diplomacy', lede: 'The meeting in Geneva did not produce an agreement, but it did tell us a good deal about where each side stands. Here is what we learned.', extraTags: ['analysis'] },
  { topic: 'diplomacy', slug: 'written-response-delivered', title: 'Washington delivers its written response to Moscow\'s demands', lede: 'The US ambassador in Moscow handed over a written response to Russia\'s security proposals on Wednesday, offering talks on arms control but no veto over NATO membership.' },
  { topic: 'elections', slug: 'early-turnout-record', title: 'Early turnout breaks records as polls tighten', lede: 'More voters cast ballots early than at any election in a decade, officials said, as the final polls showed the race within the margin of error.' },
  { topic: 'elections', slug: 'suburbs-decide-the-race', title: 'Why the suburbs will decide this election', lede: 'A handful of suburban seats that have swung back and forth for a decade hold the key to a majority. We visited three of them.', extraTags: ['analysis'] },
  { topic: 'elections', slug: 'postal-ballots-slow-count', title: 'Postal ballots could slow the count in the closest seats', lede: 'Election officials warned that results in the tightest constituencies may not be known for several days because of a surge in postal voting.' },
  { topic: 'elections', slug: 'final-debate-takeaways', title: 'Final debate: the moments that mattered', lede: 'The two leading candidates clashed on housing, taxes and the cost of energy in a final televised debate watched by millions.' },
  { topic: 'elections', slug: 'observers-praise-count', title: 'Observers praise the count but want clearer rules for election night', lede: 'International observers said the election was well run but recommended new rules on publishing partial results before polls close everywhere.' },
  { topic: 'policy', slug: 'energy-bill-support-plan', title: 'Government unveils plan to cut energy bills this winter', lede: 'Ministers published a plan to cap household energy prices and target extra help at lower-income families, financed in part by a levy on energy firms.', extraCategories: ['politics'] },
  { topic: 'policy', slug: 'renters-left-out', title: 'Renters say the new support plan leaves them out', lede: 'Tenant groups said the government\'s new package did little for people who rent, and called for limits on rent rises.' },
  { topic: 'policy', slug: 'windfall-levy-explained', title: 'The windfall levy explained: who pays and how much', lede: 'The temporary tax on energy companies\' profits will raise billions. Here is how it works and who will feel it.', extraTags: ['analysis'] },
  { topic: 'policy', slug: 'budget-office-costs-plan', title: 'Budget office puts the cost of the energy plan at one per cent of income', lede: 'The independent budget watchdog estimated the two-year cost of the support measures and warned the figure could rise if wholesale prices climb again.' },
  { topic: 'americas', slug: 'amazon-deforestation-falls', title: 'Amazon deforestation falls to a six-year low', lede: 'Satellite data showed that clearing of the Amazon rainforest fell sharply over the past year, which the government credited to tougher enforcement.', extraCategories: ['climate'], extraTags: ['climate-change'] },
  { topic: 'americas', slug: 'sao-paulo-business-optimism', title: 'São Paulo business leaders greet growth figures with cautious optimism', lede: 'Executives in Brazil\'s financial capital said the economy had avoided the sharp slowdown many had feared, though high interest rates still weigh on investment.', extraCategories: ['business'] },
  { topic: 'americas', slug: 'critical-minerals-deal', title: 'Washington seeks closer cooperation on critical minerals', lede: 'US officials are negotiating agreements with several countries in the region to secure supplies of lithium and copper for batteries and power grids.' },
  { topic: 'americas', slug: 'drought-hits-harvests', title: 'Third year of drought hits harvests in the south', lede: 'Farmers in the southern states reported another poor harvest of soy and maize as a third year of drought took its toll on crops and cattle.', extraTags: ['climate-change'] },
  { topic: 'americas', slug: 'regional-summit-agenda', title: 'Regional leaders set migration and forests on summit agenda', lede: 'Presidents from across South America will meet next month to discuss migration, energy and protecting the forests that span their borders.' },
  { topic: 'ai', slug: 'new-language-model-fewer-errors', title: 'New language model makes fewer errors, independent tests find', lede: 'A new large language model released this week made significantly fewer factual mistakes than its predecessor in tests run by university researchers.' },
  { topic: 'ai', slug: 'eu-ai-rules-finalised', title: 'EU finalises rules for the most powerful AI models', lede: 'European officials agreed the final details of rules that will require developers of the most capable AI systems to test them for risks and document their training data.', extraCategories: ['policy'] },
  { topic: 'ai', slug: 'ai-assistants-at-work', title: 'AI assistants are everywhere at work. Are they making anyone faster?', lede: 'Companies are rolling out AI tools for writing, coding and customer service, but few have measured what the tools actually change.', extraTags: ['analysis'] },
  { topic: 'ai', slug: 'open-source-models-close-gap', title: 'Open-source AI models close the gap with commercial rivals', lede: 'Freely available models now come close to the best commercial systems on many benchmarks, letting smaller organisations run them on their own hardware.' },
  { topic: 'ai', slug: 'interview-ai-researcher', title: '“Confidence is not correctness”: an interview with an AI researcher', lede: 'We spoke to a researcher who studies why language models invent facts, and what it would take to make them admit uncertainty.', extraTags: ['interview'] },
  { topic: 'security', slug: 'ransomware-attack-hospital-supplier', title: 'Ransomware attack on hospital supplier began with a stolen password', lede: 'Investigators say attackers who crippled a major medical supplier got in through a contractor account that was not protected by a second factor.' },
  { topic: 'security', slug: 'agencies-warn-remote-access-flaw', title: 'Security agencies warn of actively exploited remote-access flaw', lede: 'Cybersecurity agencies in several countries urged organisations to patch a vulnerability in widely used remote-access software that criminals are already exploiting.' },
  { topic: 'security', slug: 'cyber-insurance-tightens', title: 'Cyber insurers tighten rules as claims climb', lede: 'Insurers are demanding multi-factor authentication and tested backups before they will cover businesses against cyber attacks.', extraCategories: ['business'] },
  { topic: 'security', slug: 'password-reuse-still-top-risk', title: 'Password reuse is still the biggest risk, report finds', lede: 'An annual report on data breaches found that reused and stolen passwords were behind most intrusions, as in every year before.' },
  { topic: 'climate', slug: 'swiss-glaciers-record-loss', title: 'Swiss glaciers suffer another year of record loss', lede: 'Glaciers in Switzerland lost four per cent of their remaining ice this year, after a winter with little snow and a summer of heatwaves.' },
  { topic: 'climate', slug: 'zurich-water-supply-glaciers', title: 'What melting glaciers mean for Zürich\'s water', lede: 'As the ice retreats, scientists and city engineers are planning for a future in which summer rivers carry far less meltwater.', extraTags: ['analysis'] },
  { topic: 'climate', slug: 'warmest-twelve-months', title: 'The past twelve months were the warmest on record', lede: 'Global temperatures over the past year were the highest in records going back more than 170 years, climate scientists said.' },
  { topic: 'climate', slug: 'wind-solar-overtake-coal', title: 'Wind and solar overtake coal in European electricity', lede: 'Renewable sources generated more of the European Union\'s electricity than coal for the first time, according to an energy think-tank.', extraCategories: ['europe'] },
  { topic: 'climate', slug: 'cities-prepare-for-heat', title: 'Cities plant trees and open cooling centres to prepare for heat', lede: 'From Seville to Chicago, city governments are investing in shade and cooling after a run of deadly heatwaves.' },
  { topic: 'climate', slug: 'adaptation-finance-summit', title: 'Adaptation finance will again dominate the climate summit', lede: 'Negotiators say the hardest question at the next summit will be how to pay for poorer countries to protect themselves from floods and droughts.', extraCategories: ['world'] },
  { topic: 'space', slug: 'telescope-early-galaxies', title: 'Space telescope spots galaxies from the dawn of the universe', lede: 'Astronomers using the space telescope have identified galaxies that formed just a few hundred million years after the Big Bang.', extraTags: ['nasa'] },
  { topic: 'space', slug: 'lunar-mission-countdown-rehearsal', title: 'Lunar mission completes full countdown rehearsal', lede: 'Engineers ran through a complete countdown for the crewed flight around the Moon, the last major test before launch.', extraTags: ['nasa'] },
  { topic: 'space', slug: 'heat-shield-redesign', title: 'Heat shield redesigned after unexpected erosion on test flight', lede: 'The capsule\'s heat shield has been modified after it lost more material than expected during re-entry on the uncrewed test mission.' },
  { topic: 'space', slug: 'student-satellite-reaches-orbit', title: 'Student-built satellite reaches orbit on its first attempt', lede: 'A satellite designed and built by university students reached orbit and sent back its first signals within hours of launch.' },
  { topic: 'space', slug: 'satellite-streaks-astronomy', title: 'Satellite streaks are spoiling astronomers\' images', lede: 'Observatories report that the growing number of satellites in low orbit is leaving bright trails across long-exposure images.' },
  { topic: 'markets', slug: 'inflation-falls-to-three-percent', title: 'Inflation falls to 3.1% as energy prices ease', lede: 'Consumer price inflation slowed again in October, giving the central bank room to consider rate cuts next year.', extraCategories: ['business'] },
  { topic: 'markets', slug: 'central-bank-holds-rates', title: 'Central bank holds rates and signals cuts could come in spring', lede: 'The central bank left its main interest rate unchanged but said it could begin lowering borrowing costs if inflation keeps falling.' },
  { topic: 'markets', slug: 'sao-paulo-stocks-record', title: 'São Paulo stocks close at a record high', lede: 'Brazilian shares reached an all-time high as commodity prices rose and foreign investors returned to emerging markets.' },
  { topic: 'markets', slug: 'retailers-slow-holiday-start', title: 'Retailers report a slow start to the holiday season', lede: 'Shoppers are trading down and waiting for discounts, retailers said, as high prices continue to squeeze household budgets.' },
  { topic: 'markets', slug: 'wage-growth-stays-high', title: 'Wage growth stays high, complicating the inflation fight', lede: 'Pay rose faster than expected in the third quarter, a sign that the labour market remains tight despite higher interest rates.' },
  { topic: 'film', slug: 'fishing-village-drama-premiere', title: 'Black-and-white fishing village drama wins the festival over', lede: 'A quiet family drama shot in a fishing village drew a standing ovation at its premiere and is now a favourite for the festival\'s top prize.' },
  { topic: 'film', slug: 'interview-first-time-director', title: '“I wanted the silence to speak”: meeting the festival\'s breakout director', lede: 'The director of this year\'s most talked-about debut explains why she cast non-professional actors and shot on film.', extraTags: ['interview'] },
  { topic: 'film', slug: 'cinemas-audiences-return', title: 'Audiences return to cinemas, but mostly for blockbusters', lede: 'Box-office figures are back near their pre-pandemic level, but independent films are finding it harder than ever to get screens.' },
  { topic: 'film', slug: 'streamers-buy-at-festival', title: 'Streaming services snap up festival titles before they screen', lede: 'Streaming platforms signed deals for several of the festival\'s most anticipated films before their first public screenings.' },
  { topic: 'football', slug: 'late-header-top-four', title: 'Captain\'s late header lifts his side into the top four', lede: 'A header in the 89th minute settled a tense match and moved the home side into the Champions League places.' },
  { topic: 'football', slug: 'manager-switches-to-back-three', title: 'How a half-time switch to a back three turned the game', lede: 'The manager\'s tactical change at the break gave his wing-backs the space they needed. We look at how it worked.', extraTags: ['analysis'] },
  { topic: 'football', slug: 'fans-protest-ticket-prices', title: 'Fans protest rising ticket prices before kick-off', lede: 'Supporters marched to the stadium and displayed banners in the away end in protest at ticket price increases across the league.' },
  { topic: 'football', slug: 'january-window-striker-search', title: 'Club begins search for a striker before the January window', lede: 'With two forwards injured, the club is expected to make signing a striker its priority when the transfer window opens.' },
  { topic: 'football', slug: 'title-race-stays-open', title: 'The title race stays open with a game in hand', lede: 'The leaders\' draw at home means the gap at the top is just two points, with the chasing side holding a game in hand.' },
  { topic: 'diplomacy', slug: 'zurich-back-channel-talks', title: 'Quiet back-channel talks in Zürich kept lines open', lede: 'Officials from both sides met discreetly in Zürich in the weeks before the Geneva talks, according to people familiar with the meetings.', extraTags: ['switzerland'] },
  { topic: 'policy', slug: 'childcare-reform-bill', title: 'Childcare reform bill clears its first vote', lede: 'A bill to extend free childcare hours passed its first reading with support from both sides, though its cost remains disputed.' },
  { topic: 'ai', slug: 'chip-shortage-data-centres', title: 'Chip shortage slows the race to build AI data centres', lede: 'Demand for specialised AI chips far outstrips supply, leaving companies waiting months for the hardware to train and run their models.', extraCategories: ['business'] },
  { topic: 'markets', slug: 'currency-weakens-after-decision', title: 'Currency weakens after rate decision surprises traders', lede: 'The currency fell against the dollar after the central bank disappointed traders who had expected an immediate cut.' },
  { topic: 'space', slug: 'mars-sample-return-budget', title: 'Mars sample-return mission wins a place in the budget', lede: 'The space agency\'s budget request includes funding to bring rocks collected on Mars back to Earth.' },
  { topic: 'security', slug: 'backup-lessons-after-attack', title: 'Tested backups saved the company. Here is how', lede: 'When ransomware encrypted thousands of machines overnight, the difference between days and months of disruption was a set of backups that had been tested.' },
  { topic: 'film', slug: 'festival-first-features-prize', title: 'Festival launches prize for first-time directors', lede: 'A new competition section will reward debut features with funding for the director\'s next film.' },
  { topic: 'elections', slug: 'young-voters-registration-surge', title: 'Registration surge among young voters', lede: 'The number of voters under 25 registering to vote rose sharply in the final week before the deadline, officials said.' },
  { topic: 'climate', slug: 'alpine-snow-season-shortens', title: 'Alpine snow season is shortening, study finds', lede: 'The season with snow on the ground in the Alps has shortened by more than a month since the 1970s, according to a new study.', extraTags: ['switzerland'] },
  { topic: 'americas', slug: 'rainforest-rainfall-link', title: 'How the rainforest makes rain for farms a thousand kilometres away', lede: 'Researchers have traced how moisture from the Amazon travels south to water the farms of the continent\'s breadbasket.', extraCategories: ['science'] },
  { topic: 'football', slug: 'goalkeeper-double-save', title: 'The double save that kept the visitors out', lede: 'Before the late winner came a moment of brilliance at the other end: a double save that the manager called the turning point.' }
]

const SOURCES = [
  { name: 'Example Wire', base: 'https://www.example-wire.com' },
  { name: 'Northern Courier', base: 'https://northern-courier.example.org' },
  { name: 'Global Desk', base: 'https://globaldesk.example.net' }
]

const READERS = [
  ['Priya Shah', 'priya@example.net', null], ['Jonas Weber', 'jonas@example.de', 'https://jonasweber.example.de'], ['Aisha Bello', 'aisha@example.org', null],
  ['Mark Hughes', 'mark.hughes@example.com', null], ['Elena Rossi', 'elena@example.it', 'https://elenarossi.example.it'], ['Kenji Sato', 'kenji@example.jp', null],
  ['Grace O\'Neill', 'grace@example.ie', null], ['Rafael Costa', 'rafael@example.com.br', null], ['Nora Lind', 'nora@example.se', null], ['Ben Carter', 'ben@example.co.uk', null]
] as const

const OPENINGS = [
  'Thanks for a clear summary of a complicated story.',
  'I think this misses an important point.',
  'Good reporting, as always.',
  'Interesting piece, but I would like to see more numbers.',
  'This is the most balanced account I have read so far.',
  'I was there last year and the situation on the ground is even harder than described.',
  'Can someone explain what this means for ordinary people?',
  'I disagree with the framing here.'
]
const SECONDS = [
  'The paragraph about what comes next is the key one.',
  'Would be great to have a follow-up in a few weeks.',
  'The quotes from officials say very little, as usual.',
  'There is a good explainer on this at https://www.example.org/explainer.',
  'My family has been following this closely.',
  'History suggests we should be cautious.'
]
const REPLIES = [
  'Fair point, though I read it differently.',
  'Agreed. The detail about the timeline stood out to me too.',
  'Not sure that is right. The article says the opposite in the third paragraph.',
  'Thanks, that is a helpful way to put it.',
  'Exactly what I was thinking.',
  'Do you have a source for that?'
]
const SPAM = ['Cheap watches!!! Visit https://spam.example.com now', 'Earn $$$ from home, click https://scam.example.net']

function rng (seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6D2B79F5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function words (html: string): number {
  return html.replace(/<[^>]+>/g, ' ').split(/\s+/).filter(Boolean).length
}

function escape (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** The demo newsroom, the same for the same `now`. */
export function demoContent (now: Date = new Date('2026-11-01T00:00:00Z')): DemoContent {
  const rand = rng(20220121)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]
  const base = now.getTime()
  const day = 86_400_000
  const posts: DemoPost[] = STORIES.map((story, i) => {
    const topic = TOPICS[story.topic]
    // Rotate through the topic's paragraphs so posts of a topic differ in order and choice.
    const paragraphs = topic.paragraphs.map((_, k) => topic.paragraphs[(k + i) % topic.paragraphs.length])
    const headings = topic.headings.map((_, k) => topic.headings[(k + i) % topic.headings.length])
    const body = [
      `<p>${escape(story.lede)}</p>`,
      `<p>${escape(paragraphs[0])}</p>`,
      `<h2>${escape(headings[0])}</h2>`,
      `<p>${escape(paragraphs[1])}</p>`,
      `<blockquote><p>${escape(topic.quotes[i % topic.quotes.length])}</p></blockquote>`,
      `<p>${escape(paragraphs[2])}</p>`,
      `<p>${escape(paragraphs[3])}</p>`,
      `<h2>${escape(headings[1])}</h2>`,
      `<p>${escape(paragraphs[4])}</p>`,
      i % 3 === 0 ? `<ul><li>${escape(paragraphs[5].split(',')[0])}.</li><li>${escape(paragraphs[0].split(',')[0])}.</li></ul>` : '',
      `<p>${escape(paragraphs[5])}</p>`,
      `<h2>${escape(headings[2])}</h2>`,
      `<p>${escape(paragraphs[(6 + i) % paragraphs.length])} ${escape(topic.quotes[(i + 1) % topic.quotes.length])}</p>`,
      `<p>${escape(paragraphs[(7 + i) % paragraphs.length])}</p>`
    ].filter(Boolean)
    // Short topics get one more paragraph until the article reads at length.
    for (let k = 0; words(body.join(' ')) < 300 && k < paragraphs.length; k++) body.push(`<p>${escape(paragraphs[(k + 3 + i) % paragraphs.length])}</p>`)
    const html = body.join('\n')
    const syndicated = i % 8 === 0
    const source = syndicated ? SOURCES[(i / 8) % SOURCES.length] : null
    const sourceUrl = source ? `${source.base}/${new Date(base - (i * 11 + 2) * day).toISOString().slice(0, 10).replace(/-/g, '/')}/${story.slug}` : null
    const status: DemoPost['status'] = i === 57 || i === 60 || i === 62 ? 'draft' : i === 55 || i === 59 ? 'scheduled' : 'published'
    const published = status === 'scheduled'
      ? new Date(base + (i === 55 ? 2 : 4) * day + 6 * 3_600_000)
      : new Date(base - (i * 11 + 2) * day - Math.floor(rand() * 20) * 3_600_000 - Math.floor(rand() * 60) * 60_000)
    const categories = [topic.category, ...(story.extraCategories ?? [])].filter((c, k, all) => all.indexOf(c) === k)
    if (story.slug === 'blinken-warns-russia') categories.unshift(...categories.splice(categories.indexOf('politics'), 1))
    const tags = [...topic.tags.filter((_, k) => (k + i) % 2 === 0 || k === 0), ...(story.extraTags ?? [])].filter((t, k, all) => all.indexOf(t) === k)
    return {
      slug: story.slug,
      title: story.title,
      excerpt: i % 4 === 0 ? story.lede : null,
      content_html: html,
      author: i % 5 === 4 ? pick(AUTHORS).slug : topic.author,
      categories,
      tags,
      status,
      published_at: published.toISOString(),
      featured_image: i % 6 === 5 ? null : { url: `https://images.example.com/posts/${story.slug}.jpg`, alt: `Illustration for “${story.title}”` },
      source: source && sourceUrl ? { url: sourceUrl, name: source.name } : (story.slug === 'blinken-warns-russia' ? { url: 'https://www.example-wire.com/2022/01/21/blinken-lavrov-geneva', name: 'Example Wire' } : null),
      canonical_url: sourceUrl ?? (story.slug === 'blinken-warns-russia' ? 'https://www.example-wire.com/2022/01/21/blinken-lavrov-geneva' : null),
      comment_status: i % 13 === 7 ? 'closed' : 'open'
    }
  })

  const comments: DemoComment[] = []
  const open = posts.filter((p) => p.status === 'published' && p.comment_status === 'open')
  let n = 0
  for (const [k, post] of open.slice(0, 32).entries()) {
    const start = Date.parse(post.published_at)
    const threads = 2 + (k % 3)
    for (let t = 0; t < threads; t++) {
      const [name, email, url] = pick(READERS)
      const rootKey = `c${++n}`
      const rootAt = start + (t + 1) * 3_600_000
      comments.push({ key: rootKey, post: post.slug, parent: null, author_name: name, author_email: email, author_url: url, content: `${pick(OPENINGS)}\n\n${pick(SECONDS)}`, status: n % 17 === 0 ? 'pending' : 'approved', created_at: new Date(rootAt).toISOString() })
      let parent = rootKey
      let parentAt = rootAt
      const depth = 1 + ((k + t) % 3)
      for (let d = 0; d < depth; d++) {
        const [rName, rEmail] = pick(READERS)
        const key = `c${++n}`
        parentAt += (d + 1) * 1_800_000
        comments.push({ key, post: post.slug, parent, author_name: rName, author_email: rEmail, author_url: null, content: pick(REPLIES), status: n % 19 === 0 ? 'pending' : 'approved', created_at: new Date(parentAt).toISOString() })
        // Some replies answer the top comment instead of the last reply.
        if (d !== 1 || k % 2 === 0) parent = key
      }
    }
    if (k % 12 === 3) {
      comments.push({ key: `c${++n}`, post: post.slug, parent: null, author_name: 'Best Deals', author_email: 'deals@spam.example.com', author_url: 'https://spam.example.com', content: pick(SPAM), status: 'spam', created_at: new Date(start + 9 * 3_600_000).toISOString() })
    }
  }
  return {
    site: { title: 'My Blog', description: 'Independent news and analysis: politics, the world, science, business, culture and sport.', language: 'en', timezone: 'Europe/London' },
    authors: AUTHORS,
    categories: CATEGORIES,
    tags: TAGS,
    posts,
    comments
  }
}
