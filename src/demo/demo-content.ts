import { seededRandom, shuffled } from '../lib/seeded-random.js'

// The demo newsroom that `npm run demo` serves: "My Blog", a small independent news site with
// a two-level category tree, eight authors, tags, 79 articles, threaded comments. Every
// article has its own headline, opening and detail paragraphs; the rest of its body is drawn
// from a pool written for its topic, so articles on one topic share a vocabulary (what
// related posts and search feed on) without repeating each other. All randomness comes from
// a PRNG seeded by the post slug, and every date is an offset from `now`, so the same `now`
// always gives the same content.

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

const AVATARS = 'https://images.example.com/avatars'

const AUTHORS: DemoAuthor[] = [
  { slug: 'maria-lopez', name: 'Maria López', bio: 'Diplomatic correspondent. Has covered three NATO summits, two UN General Assemblies and more late-night press conferences in Geneva than she cares to count.', avatar_url: `${AVATARS}/maria-lopez.jpg`, website: 'https://marialopez.example.com', email: 'maria@example.com' },
  { slug: 'tom-okafor', name: 'Tom Okafor', bio: 'Political editor. Follows the money, the votes and the people who count both; previously a parliamentary reporter for a regional daily.', avatar_url: `${AVATARS}/tom-okafor.jpg`, website: null, email: 'tom@example.com' },
  { slug: 'ingrid-berg', name: 'Ingrid Berg', bio: 'Science and climate reporter. Spent six years measuring glaciers in northern Norway before swapping the ice axe for a notebook.', avatar_url: `${AVATARS}/ingrid-berg.jpg`, website: null, email: 'ingrid@example.com' },
  { slug: 'sam-chen', name: 'Sam Chen', bio: 'Technology writer covering artificial intelligence, cybersecurity and the companies that sell both. Formerly a software engineer.', avatar_url: `${AVATARS}/sam-chen.jpg`, website: 'https://samchen.example.com', email: 'sam@example.com' },
  { slug: 'lucia-ferreira', name: 'Lúcia Ferreira', bio: 'Business and markets correspondent, based in São Paulo. Writes about central banks, commodities and Latin America.', avatar_url: `${AVATARS}/lucia-ferreira.jpg`, website: null, email: 'lucia@example.com' },
  { slug: 'dan-murphy', name: 'Dan Murphy', bio: 'Sport. Has not missed a home game in eleven seasons and will talk about tennis for longer than you would like.', avatar_url: null, website: null, email: 'dan@example.com' },
  { slug: 'hannah-weiss', name: 'Hannah Weiss', bio: 'Culture editor. Film festivals, literary prizes and the business behind both.', avatar_url: `${AVATARS}/hannah-weiss.jpg`, website: 'https://hannahweiss.example.com', email: 'hannah@example.com' },
  { slug: 'amara-nwosu', name: 'Amara Nwosu', bio: 'Health and science reporter. Trained as a nurse; reads the methods section first.', avatar_url: null, website: null, email: 'amara@example.com' }
]

const CATEGORIES: DemoCategory[] = [
  { slug: 'politics', name: 'Politics', description: 'Governments, parliaments and the people who run them.', parent: null },
  { slug: 'elections', name: 'Elections', description: 'Campaigns, polls, turnout and results.', parent: 'politics' },
  { slug: 'policy', name: 'Policy', description: 'What governments decide, and what it changes for everyone else.', parent: 'politics' },
  { slug: 'parliament', name: 'Parliament', description: 'Bills, votes and debates in the chamber.', parent: 'politics' },
  { slug: 'world', name: 'World', description: 'International news and diplomacy.', parent: null },
  { slug: 'europe', name: 'Europe', description: 'News from across Europe and its institutions.', parent: 'world' },
  { slug: 'americas', name: 'Americas', description: 'News from North and South America.', parent: 'world' },
  { slug: 'technology', name: 'Technology', description: 'How technology changes work and life.', parent: null },
  { slug: 'ai', name: 'AI', description: 'Artificial intelligence, its makers and its critics.', parent: 'technology' },
  { slug: 'security', name: 'Security', description: 'Breaches, defences and the people behind both.', parent: 'technology' },
  { slug: 'science', name: 'Science', description: 'Research, discoveries and the planet.', parent: null },
  { slug: 'climate', name: 'Climate', description: 'The warming world and the response to it.', parent: 'science' },
  { slug: 'space', name: 'Space', description: 'Missions, telescopes and what they find.', parent: 'science' },
  { slug: 'health', name: 'Health', description: 'Medicine, public health and the health service.', parent: 'science' },
  { slug: 'business', name: 'Business', description: 'Companies, markets and the economy.', parent: null },
  { slug: 'markets', name: 'Markets', description: 'Prices, interest rates, currencies and shares.', parent: 'business' },
  { slug: 'companies', name: 'Companies', description: 'Results, deals and the people who run firms.', parent: 'business' },
  { slug: 'culture', name: 'Culture', description: 'Film, books and the arts.', parent: null },
  { slug: 'film', name: 'Film', description: 'New releases, festivals and the industry.', parent: 'culture' },
  { slug: 'books', name: 'Books', description: 'Fiction, prizes, authors and booksellers.', parent: 'culture' },
  { slug: 'sport', name: 'Sport', description: 'Results and the stories behind them.', parent: null },
  { slug: 'football', name: 'Football', description: 'The league, the transfer market and the fans.', parent: 'sport' },
  { slug: 'tennis', name: 'Tennis', description: 'Tournaments, rankings and the tour.', parent: 'sport' }
]

const TAGS: DemoTag[] = ([
  ['ukraine', 'Ukraine'], ['russia', 'Russia'], ['nato', 'NATO'], ['united-states', 'United States'],
  ['european-union', 'European Union'], ['diplomacy', 'Diplomacy'], ['sanctions', 'Sanctions'],
  ['general-election', 'General election'], ['cost-of-living', 'Cost of living'], ['inflation', 'Inflation'],
  ['interest-rates', 'Interest rates'], ['artificial-intelligence', 'Artificial intelligence'],
  ['cybersecurity', 'Cybersecurity'], ['climate-change', 'Climate change'], ['renewables', 'Renewables'],
  ['nasa', 'NASA'], ['public-health', 'Public health'], ['brazil', 'Brazil'], ['switzerland', 'Switzerland'],
  ['premier-league', 'Premier League'], ['festivals', 'Festivals'], ['jobs', 'Jobs'], ['analysis', 'Analysis'], ['interview', 'Interview']
] as const).map(([slug, name]) => ({ slug, name }))

interface Quote { text: string, who: string }

interface Topic {
  categories: string[]
  authors: string[]
  // Tags every post of the topic carries; stories add their own.
  tags: string[]
  headings: string[]
  quotes: Quote[]
  pool: string[]
  // An HTML sentence with a link, added to some posts.
  link: string
  // Reader comments that start a thread on a post of this topic.
  comments: string[]
}

// Per-topic material. Pool paragraphs are written to stand in any article of their topic.
const TOPICS = {
  diplomacy: {
    categories: ['europe', 'world'],
    authors: ['maria-lopez', 'tom-okafor'],
    tags: ['diplomacy', 'russia', 'ukraine'],
    headings: ['What was said in the room', 'The allies’ view', 'The view from Kyiv', 'Sanctions on the table', 'What happens next', 'A narrow path'],
    quotes: [
      { text: 'We did not come here expecting a breakthrough. We came to make sure there is no misunderstanding about what happens if troops cross the border.', who: 'a senior State Department official' },
      { text: 'Diplomacy is slow, and that is precisely why it has to start before the crisis, not after it.', who: 'a European foreign minister' },
      { text: 'There are no minor incursions. A border is either respected or it is not.', who: 'an adviser to the Ukrainian government' },
      { text: 'We are being asked to choose between security guarantees on paper and security on the ground.', who: 'a diplomat from one of the Baltic states' }
    ],
    pool: [
      'Western officials have been careful to describe the recent round of meetings as consultations rather than negotiations, stressing that no decision about Ukraine will be taken without Ukraine, and no decision about European security without Europe.',
      'Russia has kept tens of thousands of troops, along with armour, artillery and field hospitals, within striking distance of the Ukrainian border for weeks, and satellite images published by commercial providers show the deployments growing rather than shrinking.',
      'Moscow’s central demand remains unchanged: a legally binding promise that NATO will never admit Ukraine, and that the alliance will pull its forces back from the countries that joined it after 1997. Western capitals have called both points non-starters.',
      'Sanctions remain the West’s main lever. European diplomats say a package targeting Russian banks, energy companies and access to advanced technology has been drafted and could be adopted within days of any military escalation.',
      'Governments on NATO’s eastern flank, several of which share a border with Russia or Belarus, have pressed Washington and the larger European capitals to make no concessions over their heads, and have asked for more allied troops on their territory.',
      'In Kyiv, officials have welcomed the diplomatic effort but warn that talks could also serve as cover, giving Moscow time to complete its military preparations while the West debates the wording of its next statement.',
      'The Kremlin has repeatedly denied planning an attack, accusing the United States and its allies of stoking tension and of ignoring what it calls Russia’s legitimate security concerns.',
      'Analysts say the tone of public statements on both sides has become calmer in recent days, but warn that tone is a poor guide to decisions that will ultimately be taken by a very small circle around the Russian president.',
      'Both sides have said they are willing to discuss arms control, limits on military exercises and greater transparency about troop movements, areas where diplomats believe a compromise could be found if the wider standoff eased.',
      'Energy is never far from the conversation. Europe still imports a large share of its natural gas from Russia, and ministers are drawing up plans to secure alternative supplies should the flow through the pipelines be cut.'
    ],
    link: 'The State Department has published <a href="https://www.state.example.gov/briefings/secretary-press-availability">a full transcript of the press conference</a>.',
    comments: [
      'The line about no decisions on Ukraine without Ukraine is the right one. Whether it survives the next few weeks is another matter.',
      'I remember the same hopeful language before 2014. Talks are better than nothing, but I am not holding my breath.',
      'Good piece. It would help to have a map showing where the troops actually are; the numbers mean little without one.',
      'As someone with family in Kharkiv, thank you for not treating this as a chess game.\n\nMy cousin says the shops there are calmer than the news makes it sound. People are just trying to get on with their lives.',
      'Sanctions only work if Europe is prepared to pay the price at the petrol pump and on the heating bill. I am not convinced it is.',
      'What exactly does “legally binding” mean here? NATO cannot bind itself on future applications, surely? Each member would have to ratify it.'
    ]
  },
  elections: {
    categories: ['elections'],
    authors: ['tom-okafor'],
    tags: ['general-election'],
    headings: ['Where the race will be decided', 'The turnout question', 'What the polls may be missing', 'The issues voters care about', 'The final stretch'],
    quotes: [
      { text: 'People are tired, but they are not switched off. That is the paradox of this campaign.', who: 'a pollster who has tracked the last five elections' },
      { text: 'Every ballot in this constituency will be counted twice before anyone is declared the winner.', who: 'a returning officer in a marginal seat' },
      { text: 'On the doorstep nobody asks me about the deficit. They ask me about their rent.', who: 'a candidate in one of the closest seats' }
    ],
    pool: [
      'The race has tightened over the past fortnight. The governing party’s lead, which stood at nine points in the spring, has narrowed to within the margin of error in most of the national polls published this week.',
      'Strategists on both sides say the result will be decided in a few dozen suburban and small-town seats, many of which have changed hands at least twice in the past four elections and where voters remain unusually undecided.',
      'Postal votes are expected to make up almost a third of all ballots cast, a record, which means that results in the very closest seats may not be known until well into the day after polling.',
      'The cost of living has dominated the campaign. Voters asked by pollsters to name the most important issue facing the country put household bills and housing well ahead of immigration, health and the economy in general.',
      'Turnout among voters under thirty has historically lagged well behind older groups, and both main parties have spent heavily on social media advertising aimed at persuading younger people to register and vote.',
      'The electoral commission has reminded voters that they must bring an accepted form of photo identification to the polling station, the first general election at which the rule applies.',
      'Independent observers, who watched the count in a sample of constituencies last time, described the process as transparent and well run, though they recommended clearer rules on publishing partial results.',
      'Smaller parties hope to benefit from disillusionment with the two largest, and polls suggest their combined share of the vote could be the highest in a generation, even if that translates into only a handful of seats.',
      'Election law limits how much each candidate may spend locally, but national campaigns face looser rules, and both main parties have raised record sums from donors and members this year.'
    ],
    link: 'The electoral commission’s <a href="https://www.electoralcommission.example.org/voting-and-elections">guide to voting</a> explains the identification rules and how to apply for a postal vote.',
    comments: [
      'Voted at five past seven this morning and there was already a queue out of the door. Never seen that at our local school before.',
      'The polls were wrong last time and I suspect they will be wrong again, just not in the direction everyone expects.',
      'Would love a piece on how postal votes are actually verified. My neighbour is convinced they are open to fraud and I never know what to tell him.',
      'The photo ID requirement is going to turn people away. My grandmother has neither a passport nor a driving licence.',
      'Genuinely refreshing to read election coverage that is not just a horse race.'
    ]
  },
  policy: {
    categories: ['policy'],
    authors: ['tom-okafor'],
    tags: ['cost-of-living'],
    headings: ['Who pays, and who benefits', 'The fine print', 'The opposition’s response', 'Will it work?', 'What happens in parliament'],
    quotes: [
      { text: 'A policy that looks cheap on paper can be very expensive in a household budget.', who: 'an economist at an independent think-tank' },
      { text: 'We are asking everyone to carry some of the weight, and those with the broadest shoulders to carry the most.', who: 'the finance minister' },
      { text: 'The people we see are not feckless. They are nurses and bus drivers who have simply run out of month.', who: 'the manager of a food bank' }
    ],
    pool: [
      'The government published the details after months of consultation with charities, councils and industry groups, promising that most households would feel the difference before the end of the winter.',
      'Economists broadly welcomed the decision to target help at lower-income households rather than spread it thinly across everyone, but questioned how the support would be adjusted if prices rise again.',
      'The opposition said the measures came too late and did too little for renters and people on prepayment meters, who have faced some of the sharpest increases in costs over the past two years.',
      'The independent budget office estimates the cost of the government’s support measures at just under one per cent of national income over two years, to be financed partly by borrowing and partly by a temporary levy on company profits.',
      'Business groups asked for clarity on how long the measures would last, warning that frequent changes to the rules make it harder for firms to plan investment and hiring.',
      'Ministers insist the scheme will be reviewed regularly and scaled back as soon as conditions allow, and point to a clause under which it expires unless parliament votes to renew it.',
      'Charities that run food banks and debt advice services say demand has risen by a third over the past year, and that many of the people now asking for help are in full-time work.',
      'The government’s majority means its legislation is expected to pass, although several backbenchers have said they will push for amendments on the length of the scheme and the help for renters.',
      'Councils, which are responsible for delivering much of the support, warn that they have not been given enough money or staff to process applications quickly.'
    ],
    link: 'The Treasury has published <a href="https://www.treasury.example.gov/cost-of-living-support">a summary of who qualifies for each payment</a>.',
    comments: [
      'The cap helps, but my bill still doubled in two years. “Support” feels like a generous word for it.',
      'Nobody ever mentions the councils in these stories. Ours has had its budget cut every year for a decade and now it is supposed to deliver this?',
      'Good explainer. A simple calculator showing who gets what would make it even better.',
      'A windfall levy is fine in principle, but watch how many exemptions get added before the final vote.',
      'I run a small bakery. Businesses get very little from this and our energy costs have tripled.'
    ]
  },
  americas: {
    categories: ['americas'],
    authors: ['lucia-ferreira'],
    tags: [],
    headings: ['The view from São Paulo', 'The regional picture', 'Washington’s interest', 'The forest and the farms', 'What to watch'],
    quotes: [
      { text: 'The rainforest is not a local issue. What happens here changes the rainfall a thousand kilometres away.', who: 'a climate scientist in Manaus' },
      { text: 'Trade has always been the quiet engine of this relationship.', who: 'a former Brazilian trade negotiator' },
      { text: 'We have heard many promises. This time we want the money to reach the villages.', who: 'an indigenous leader from Pará' }
    ],
    pool: [
      'In São Paulo, the country’s financial capital, business leaders have greeted recent figures with cautious optimism after two years of high interest rates that many feared would tip the economy into recession.',
      'Satellite data published by the national space research institute show the area of rainforest cleared in the Amazon falling for a second consecutive year, a trend officials attribute to tougher enforcement and new penalties.',
      'Regional governments are discussing a common approach to migration, energy links and the protection of forests that stretch across several national borders, an agenda that has stalled repeatedly over the past decade.',
      'Washington has signalled that it wants closer cooperation with countries in the region on critical minerals, a market in which South America holds a large share of the world’s known reserves of lithium and copper.',
      'Farmers in the south have suffered a third year of drought, which has cut harvests of soy and maize, reduced the water available to hydroelectric dams and pushed up food prices in the cities.',
      'Opposition politicians accuse the government of taking credit for trends that began before it took office, and have called for an independent audit of the official figures.',
      'Economists say the region’s prospects depend heavily on China, the largest buyer of its soybeans, iron ore and oil, and on whether interest rates in the United States begin to fall.',
      'Indigenous organisations, whose territories cover a large part of the remaining forest, have asked for a formal role in any international agreement and for funds to be paid directly to their communities.'
    ],
    link: 'The space research institute publishes <a href="https://www.inpe.example.br/deforestation-monitoring">its monthly deforestation alerts</a> online.',
    comments: [
      'Living in Porto Alegre, the drought is very real. Our river was lower this year than anyone in my family can remember.',
      'Falling deforestation is great news, but the numbers have been revised before. Let us wait for the full-year data.',
      'Thank you for covering Latin America beyond the crises. This kind of reporting is rare in English.',
      'The critical minerals angle is the real story here, I think. Everyone wants lithium and nobody wants the mines.'
    ]
  },
  ai: {
    categories: ['ai'],
    authors: ['sam-chen'],
    tags: ['artificial-intelligence'],
    headings: ['How the model works', 'The regulators’ view', 'What it means for jobs', 'The cost of computing', 'Open questions'],
    quotes: [
      { text: 'A model that sounds confident is not the same as a model that is right.', who: 'a computer scientist who studies how language models are evaluated' },
      { text: 'We want rules that protect people without freezing the research in place.', who: 'an EU official involved in drafting the rules' },
      { text: 'The productivity gains are real for some tasks and imaginary for others. The hard part is knowing which is which.', who: 'a labour economist' }
    ],
    pool: [
      'The latest generation of language models is trained on larger and more carefully filtered collections of text and code than its predecessors, and developers say the systems make fewer factual errors in independent benchmark tests.',
      'Researchers who test the systems say they are strikingly good at summarising long documents and writing code, but still invent sources when asked to provide citations for their claims.',
      'European regulators are finalising rules under which developers of the most capable models must publish summaries of their training data, test their systems for serious risks and report major incidents.',
      'Employers have rushed to try AI assistants for customer service, software development and drafting documents, though surveys suggest that few have yet measured what the tools actually do to productivity.',
      'Critics warn that the computing power needed to train frontier models concentrates influence in the handful of companies that can afford tens of thousands of specialised chips and the data centres to house them.',
      'Open-source models have narrowed the gap with commercial systems, allowing universities, hospitals and smaller firms to run capable language models on their own hardware without sending data to a third party.',
      'Authors, artists and news organisations have filed lawsuits arguing that training models on their work without permission or payment infringes copyright, cases that could shape the industry for years.',
      'The energy and water consumed by data centres has become a political issue in several countries, where grid operators warn that demand from AI could outstrip new supply before the end of the decade.',
      'Researchers stress that language models predict plausible text rather than retrieve facts, which is why they can sound confident while being wrong, and why careful evaluation matters more than impressive demonstrations.'
    ],
    link: 'The researchers have published <a href="https://www.university.example.edu/ai-evaluation/report">their test questions and results</a> so that others can check them.',
    comments: [
      'I use one of these assistants for work every day. It is brilliant at first drafts and terrible at anything involving numbers.',
      'The copyright cases are going to decide all of this, not the benchmarks.',
      'Would be good to know how these independent tests were designed. Fewer errors on whose questions?',
      'Every article about AI productivity quotes surveys. I want to see actual output data.',
      'As a translator, I can tell you the work did not disappear. The rates did.'
    ]
  },
  security: {
    categories: ['security'],
    authors: ['sam-chen'],
    tags: ['cybersecurity'],
    headings: ['How the attackers got in', 'Who was affected', 'The response', 'Lessons for everyone else', 'Inside the ransomware economy'],
    quotes: [
      { text: 'Most breaches still start with a password that was reused somewhere else.', who: 'an incident responder who has investigated hundreds of attacks' },
      { text: 'Paying the ransom buys you a promise from a criminal. That is all it buys.', who: 'a former director of a national cybersecurity agency' },
      { text: 'The backups worked because someone had tested them on a quiet Tuesday afternoon, not because we were lucky.', who: 'a chief information officer' }
    ],
    pool: [
      'Stolen passwords remain the most common way in. Security teams describe attackers logging in to accounts that were not protected by a second factor as depressingly routine.',
      'Once inside a network, ransomware groups typically move slowly for several weeks, mapping systems and copying data before deploying software that encrypts thousands of computers overnight.',
      'Companies that can restore their systems from backups are far less likely to pay, but even they face the threat that stolen customer data will be published unless a ransom is paid.',
      'National cybersecurity agencies regularly issue joint advisories describing the methods of the most active groups and urging organisations to install patches for flaws that are being exploited.',
      'Insurers have tightened the conditions of cyber policies, in many cases requiring multi-factor authentication, tested offline backups and an incident response plan before they will offer cover.',
      'Experts say the same lesson appears again and again: basic security hygiene, meaning patching, strong authentication and limiting who can reach critical systems, stops the large majority of intrusions.',
      'Ransomware groups increasingly operate like businesses, renting their tools to affiliates in exchange for a share of the proceeds and even running help desks to negotiate with their victims.',
      'Regulators have reminded companies that they must report serious breaches within 72 hours, and that failing to protect personal data can lead to fines of up to four per cent of global turnover.'
    ],
    link: 'The national cybersecurity centre keeps <a href="https://www.ncsc.example.gov/guidance/ransomware">practical guidance on ransomware</a> for small organisations.',
    comments: [
      'Turn on two-factor authentication. Everywhere. Today. That is the whole article, really.',
      'I worked in IT at a hospital. Patching sounds simple until the only machine that runs the scanner software is on Windows 7.',
      'How long until companies are required to disclose whether they paid? That should be mandatory.',
      'Good to see a story that explains how the attack actually happened rather than just saying “sophisticated hackers”.'
    ]
  },
  climate: {
    categories: ['climate'],
    authors: ['ingrid-berg'],
    tags: ['climate-change'],
    headings: ['What the measurements show', 'On the ice', 'The energy question', 'Adapting to a warmer world', 'What scientists want next'],
    quotes: [
      { text: 'The ice does not negotiate. It responds to temperature, and the temperature keeps rising.', who: 'a glaciologist at ETH Zürich' },
      { text: 'Every tenth of a degree we avoid matters for the people living downstream.', who: 'a climate scientist who contributed to the study' },
      { text: 'We are planning for summers when the river we rely on carries half the water it does today.', who: 'a water engineer' }
    ],
    pool: [
      'Glaciologists say several of the smaller Alpine glaciers they measure will disappear entirely within two decades on current trends, changing how water reaches rivers and reservoirs in late summer.',
      'Global average temperatures have risen by about 1.2C since the late nineteenth century, driven by the continued build-up of greenhouse gases, and each of the past ten years has been among the warmest on record.',
      'Wind and solar farms now generate a larger share of Europe’s electricity than ever before, and grid operators are investing in storage and cross-border connections to manage the swings in output.',
      'Cities are planting trees, creating shade and opening cooling centres after heatwaves that scientists say have become several times more likely because of human-caused warming.',
      'Negotiators preparing for the next climate summit say finance for poorer countries, to help them cut emissions and adapt to floods and droughts, will again be the hardest issue to resolve.',
      'Scientists stress that every fraction of a degree of additional warming matters, and that cutting emissions quickly would still slow the loss of ice and reduce the risk of extreme weather.',
      'Hydropower, which supplies more than half of Switzerland’s electricity, depends on meltwater, and utilities are studying whether new dams in front of retreating glaciers could store water for the winter.',
      'Measurements are taken with stakes drilled into the ice, radar surveys and, increasingly, drones, allowing researchers to build a detailed picture of how each glacier changes from year to year.',
      'Natural swings such as El Niño can push a single year’s temperature up or down, which is why researchers look at trends over decades rather than at any one record.'
    ],
    link: 'The monitoring network’s <a href="https://www.glacier-monitoring.example.ch/annual-report">annual report</a> includes data for every glacier it measures.',
    comments: [
      'I hiked to the Rhône glacier as a child and again last summer. The difference is heartbreaking. There are blankets over parts of it now.',
      'Good to see the adaptation side covered, not just the gloom. Trees and shade are things a city can actually do.',
      'Serious question: if hydropower depends on meltwater, what happens to the grid once the glaciers are gone?',
      'The El Niño caveat matters. Next year may be cooler and people will say warming has stopped, again.',
      'Excellent piece. I would love a follow-up on how the measurements are actually taken.'
    ]
  },
  space: {
    categories: ['space'],
    authors: ['ingrid-berg', 'amara-nwosu'],
    tags: [],
    headings: ['The mission', 'What the telescope saw', 'The road to launch', 'Why it matters', 'The budget question'],
    quotes: [
      { text: 'Every image we get back changes what we thought we knew about the early universe.', who: 'an astronomer on the observing team' },
      { text: 'Going back to the Moon is the rehearsal. Mars is the performance.', who: 'a former astronaut' },
      { text: 'We would rather be late and right than early and sorry.', who: 'a mission manager' }
    ],
    pool: [
      'The space telescope has transformed astronomers’ view of the early universe, finding galaxies that formed only a few hundred million years after the Big Bang, earlier and brighter than most models had predicted.',
      'The agency’s lunar programme aims to send astronauts around the Moon and then land them near its south pole, where ice in permanently shadowed craters could one day supply water and fuel.',
      'Engineers have spent months studying the capsule’s heat shield, which must withstand temperatures of almost 3,000C as it returns from the Moon at nearly 40,000 kilometres an hour.',
      'Astronomers have warned that the growing number of satellites in low orbit is leaving streaks across long-exposure images taken by telescopes on the ground, and are working with operators to make spacecraft less reflective.',
      'The sample-return mission would bring rocks collected by a rover on Mars back to Earth so that they can be studied with laboratory instruments far more sensitive than anything that can be flown.',
      'Smaller launch companies and university teams are taking advantage of cheaper rides to orbit, flying experiments that would once have needed a government mission of their own.',
      'Mission managers say the schedule remains ambitious, and that any further problems found during testing could push the next launch back by months.',
      'Scientists caution that early results must be confirmed with follow-up observations, since some apparently distant objects have turned out to be closer, dust-shrouded galaxies.'
    ],
    link: 'The agency streams launches and briefings on <a href="https://www.space-agency.example.gov/live">its live channel</a>.',
    comments: [
      'Showed the images to my kids last night. My daughter now wants to be an astronomer, so thank you, I suppose.',
      'The heat shield issue worries me more than the article lets on. You do not get a second try at re-entry.',
      'Satellite streaks are a genuine problem. Amateur astronomers have been saying this for years.',
      'Is there a livestream of the launch? Would be great to add a link.'
    ]
  },
  health: {
    categories: ['health'],
    authors: ['amara-nwosu'],
    tags: ['public-health'],
    headings: ['What the data show', 'Pressure on hospitals', 'What patients can do', 'The caveats'],
    quotes: [
      { text: 'Winter always arrives. The question is whether we have prepared for it.', who: 'an emergency medicine consultant' },
      { text: 'The simplest advice remains the best: get vaccinated, and stay at home if you are ill.', who: 'the chief medical officer' }
    ],
    pool: [
      'Hospitals typically come under the greatest pressure in the first weeks of January, when flu, other respiratory infections and cold weather combine with staff absences.',
      'Uptake of the seasonal vaccine among people over sixty-five has fallen compared with last year, and officials have urged those eligible to book an appointment at their pharmacy or surgery.',
      'Waiting lists for planned operations remain close to record levels, with hip and knee replacements among the procedures that patients wait longest for.',
      'Doctors’ representatives say staff shortages, not a lack of beds, are the main reason the system struggles each winter, and have called for a long-term plan for training and retaining nurses.',
      'Researchers caution that observational studies can show an association but not prove cause and effect, and that randomised trials are needed to confirm such findings.',
      'Public health experts say small, sustained changes, such as walking more, eating less salt and stopping smoking, still do more for the health of the population than any single new treatment.',
      'Family doctors report record numbers of appointments, and say that many patients could be treated safely by pharmacists, nurses or physiotherapists if the system made that easier.',
      'Health economists note that every pound spent on prevention tends to save several more in treatment later, but that the savings arrive years after the spending, long after the budget decisions are made.',
      'Patient groups say clear information matters as much as speed: people who know how long they will wait, and why, cope far better than those left without news.'
    ],
    link: 'The health service lists <a href="https://www.health.example.gov/vaccinations/flu">who is eligible for a free flu vaccine</a> and how to book.',
    comments: [
      'Booked my flu jab after reading this. Took five minutes at the pharmacy.',
      'I have been waiting eighteen months for a knee replacement. Walking more is not really an option, ironically.',
      'Good that the caveats are mentioned. So many health stories skip the part about association not being causation.'
    ]
  },
  markets: {
    categories: ['markets'],
    authors: ['lucia-ferreira'],
    tags: [],
    headings: ['The numbers', 'What the central bank said', 'How markets reacted', 'The outlook', 'What it means for households'],
    quotes: [
      { text: 'Inflation is coming down, but the last mile is always the hardest.', who: 'the chief economist at a large bank' },
      { text: 'Markets had priced in a cut. What they got was patience.', who: 'a fixed-income strategist' },
      { text: 'Households feel price levels, not inflation rates, and prices are not going back down.', who: 'a consumer economist' }
    ],
    pool: [
      'Inflation has fallen steadily from its peak as energy costs eased and the increase in food prices slowed, though prices in shops and restaurants remain far higher than they were two years ago.',
      'The central bank has kept its main interest rate at the highest level in fifteen years, and has said it will not begin cutting until it is confident that inflation is heading back to its two per cent target.',
      'Government bond yields and the currency have become highly sensitive to every hint from the central bank, with traders adjusting their bets on the timing of the first cut after each speech and data release.',
      'Economists say the labour market remains tight, with wage growth still running well ahead of the pace the central bank regards as consistent with stable prices.',
      'Higher borrowing costs have hit the housing market hardest. Mortgage approvals remain well below their level of two years ago, and house prices have fallen modestly in most regions.',
      'Investors expect several quarter-point cuts over the coming year, a path that some members of the rate-setting committee have publicly questioned.',
      'In emerging markets, a weaker dollar and higher commodity prices have drawn foreign investors back, lifting stock indices in São Paulo, Mexico City and Johannesburg.',
      'For households, the picture is mixed: savers are earning the best returns in years, while hundreds of thousands of homeowners coming to the end of fixed-rate mortgages face much higher payments.'
    ],
    link: 'The statistics office publishes <a href="https://www.statistics.example.gov/inflation">the full inflation release and its tables</a>.',
    comments: [
      'Inflation falling does not mean prices falling. I wish more articles made that point as clearly as this one does.',
      'My mortgage fix ends in March. Every one of these decisions now feels personal.',
      'The wage growth figure is doing a lot of work here. Real wages only just turned positive.',
      'Several cuts priced in seems optimistic to me, but what do I know.'
    ]
  },
  companies: {
    categories: ['companies'],
    authors: ['lucia-ferreira'],
    tags: [],
    headings: ['The results', 'What investors think', 'The strategy', 'The workers’ view', 'The regulators'],
    quotes: [
      { text: 'We would rather grow a little more slowly and still be here in twenty years.', who: 'the chief executive' },
      { text: 'The market likes the story. Now it needs to see the numbers.', who: 'an equity analyst' }
    ],
    pool: [
      'Company executives across the sector have warned that higher costs for energy, materials and wages will weigh on profits for the rest of the year, even as revenue holds up.',
      'Shares rose in early trading as investors welcomed the announcement, before giving up some of their gains by the close as analysts studied the details.',
      'The chief executive told analysts on a call that the firm would cut costs by simplifying its range, closing underused sites and investing in automation.',
      'Trade unions said they had not been consulted about the plans and asked for guarantees on jobs and pay, warning that they would ballot members if talks failed.',
      'Competition regulators have become more willing to block or reshape large deals, and frequently ask for shops, factories or brands to be sold before giving approval.',
      'Debt taken on during the pandemic has been paid down across much of the industry, giving companies room to invest and to resume paying dividends to shareholders.',
      'Analysts say the results reflect a wider trend in which companies that invested early in electrification and digital services are pulling ahead of slower rivals.',
      'Pension funds and other large shareholders have become more vocal about pay, strategy and climate targets, and several chief executives have faced protest votes at annual meetings this year.',
      'Higher interest rates have raised the cost of refinancing debt, and companies that borrowed cheaply when rates were close to zero face much larger bills as their loans fall due.',
      'Consumers remain cautious, and businesses that sell directly to households report that customers are delaying big purchases and shopping around more than before.'
    ],
    link: 'The company’s <a href="https://investors.example-company.com/results">results presentation</a> is available on its investor relations site.',
    comments: [
      'Cost cutting “without reducing staff” usually means not replacing anyone who leaves. Let us see in a year.',
      'Good to see a business story that asks the unions as well as the analysts.',
      'I have been a customer for twenty years and the service has got worse in every one of them.'
    ]
  },
  film: {
    categories: ['film'],
    authors: ['hannah-weiss'],
    tags: [],
    headings: ['The film', 'Behind the camera', 'The festival circuit', 'The business of distribution', 'Verdict'],
    quotes: [
      { text: 'I wanted the audience to feel the silence as much as the noise.', who: 'the director' },
      { text: 'Festivals are where small films find the friends they need.', who: 'the festival’s artistic director' },
      { text: 'Cinema is still the only place where a thousand strangers agree to look at the same thing in the dark.', who: 'a veteran distributor' }
    ],
    pool: [
      'This year’s festival programme leaned towards intimate dramas and documentaries, with several of the most talked-about films made on small budgets by directors early in their careers.',
      'Critics have singled out performances by actors with no previous screen credits, a casting choice that a growing number of directors are making for its restraint and authenticity.',
      'Independent distributors say audiences have returned to cinemas, but mostly for big franchise releases, which makes it harder than ever for smaller films to hold on to screens for more than a week or two.',
      'The festival has added a competition for first features, with a prize that includes funding for the director’s next film and a guaranteed slot at the following year’s edition.',
      'Streaming services remain among the most active buyers at festivals, signing deals for titles before their first public screenings, sometimes for sums that surprise even the sellers.',
      'Festival organisers say ticket sales were the highest since before the pandemic, helped by a programme of free outdoor screenings in the old town square.',
      'Shooting on celluloid, once assumed to be dying out, has become a mark of distinction for a new generation of directors, even though it adds cost and time to every production.',
      'Juries at the major festivals have increasingly rewarded smaller productions, and a prize can turn a film that cost a few hundred thousand euros into one that sells to dozens of countries.'
    ],
    link: 'The festival has published <a href="https://www.filmfestival.example.org/programme">its full programme and jury</a>.',
    comments: [
      'Saw it at the festival on Saturday. The last ten minutes are almost unbearable, in the best way.',
      'Please let this get a proper cinema release and not just disappear onto a streaming service.',
      'Black and white is having a moment. Not complaining.',
      'Our local independent cinema closed last year. Articles like this make me miss it even more.'
    ]
  },
  books: {
    categories: ['books'],
    authors: ['hannah-weiss'],
    tags: [],
    headings: ['The book', 'The author', 'The shortlist', 'The state of the trade'],
    quotes: [
      { text: 'I write the book I wanted to read and could not find.', who: 'the novelist' },
      { text: 'A good translator is a second author, and we are finally giving them credit for it.', who: 'one of the prize judges' }
    ],
    pool: [
      'Judges described this year’s shortlist as one of the strongest in the prize’s history, with debut writers and established names competing on equal terms.',
      'Independent bookshops have had their best run in a decade, helped by readers who discover new titles on social media and by a revival of author events and book clubs.',
      'Translated fiction continues to grow in popularity, with sales of novels translated into English rising for several years running, led by writers from Japan, Korea and South America.',
      'Publishers warn that rising paper and printing costs are pushing up the price of hardbacks, and that shorter print runs make it riskier to take a chance on unknown writers.',
      'The prize’s winner receives a cash award along with a guarantee that the book will be translated into at least three languages, which can transform an author’s career abroad.',
      'Literary festivals, from large city events to weekend gatherings in market towns, report record attendance, and many now sell more books on site than local shops do in a month.',
      'Debut novelists face a crowded market: thousands of new titles are published every month, and most sell only a few hundred copies in their first year.',
      'Audiobooks are the fastest-growing format, and several publishers now record them at the same time as the print edition, often with the author reading.',
      'Book prizes still move sales like little else. Shortlisted titles typically sell several times as many copies in the week after the announcement as in the week before.'
    ],
    link: 'The prize’s website has <a href="https://www.fictionprize.example.org/shortlist">extracts from every shortlisted book</a>.',
    comments: [
      'Just finished it on the train and missed my stop. Highly recommended.',
      'So pleased to see translated fiction on the list. The translators deserve the prize as much as the authors.',
      'Support your local bookshop, people. They need it more than the big online sellers do.'
    ]
  },
  football: {
    categories: ['football'],
    authors: ['dan-murphy'],
    tags: ['premier-league'],
    headings: ['How the match was won', 'The manager’s view', 'The table', 'Next up', 'The numbers'],
    quotes: [
      { text: 'We played with courage. That is all I can ask of them.', who: 'the home manager' },
      { text: 'A point away from home in this league is never a bad result, but today it feels like two dropped.', who: 'the visiting captain' },
      { text: 'Football without fans is nothing. We are asking to be able to afford to come.', who: 'a spokesperson for the supporters’ trust' }
    ],
    pool: [
      'The home side have now gone eleven league matches without defeat, their longest unbeaten run since they won promotion four seasons ago.',
      'The manager has changed shape several times this season, switching between a back four and a back three depending on the opponent, a flexibility his players say they have come to enjoy.',
      'Injuries to two forwards have left the squad short of options for the busy winter schedule, and the club is expected to look for a striker when the transfer window opens in January.',
      'Supporters’ groups have protested against rising ticket prices at several grounds this season, arguing that younger fans and families are being priced out of the game.',
      'At the top of the table, the title race remains open, with the leaders’ superior goal difference their main cushion going into the final weeks of the season.',
      'The statistics told the story of a game of two halves: the visitors had sixty per cent of possession before the break but managed only one shot on target after it.',
      'The captain, who signed a new three-year contract in the summer, has become the side’s most reliable source of goals from set pieces.',
      'The club’s next three league matches come in the space of eight days, a run the manager described as the most important of the season so far.'
    ],
    link: 'The full fixture list is on <a href="https://www.league.example.com/fixtures">the league’s website</a>.',
    comments: [
      'I was in the stand behind the goal for the header. Have not heard the ground that loud in years.',
      'The switch to a back three should have happened after twenty minutes, not at half-time.',
      'Ticket prices are a disgrace. Good on the fans for making themselves heard.',
      'We need a striker. We have needed one since August. Everybody can see it except the board.',
      'Fair report, but the double save deserved more than one line. Best I have seen all season.'
    ]
  },
  tennis: {
    categories: ['tennis'],
    authors: ['dan-murphy'],
    tags: [],
    headings: ['How the final turned', 'The rise of a champion', 'The schedule debate', 'What comes next'],
    quotes: [
      { text: 'I stopped thinking about the score and just tried to hit the ball as well as I could.', who: 'the champion' },
      { text: 'Matches finishing at two in the morning are not good for players or for fans.', who: 'a spokesperson for the players’ council' }
    ],
    pool: [
      'Players from outside the sport’s traditional powers have enjoyed a remarkable season, winning four of the last six titles at this level.',
      'The tour has faced growing criticism over its schedule, with players complaining about late finishes, short turnarounds between matches and long journeys between tournaments.',
      'Prize money has risen sharply over the past decade, but players ranked outside the top hundred say they still struggle to cover the cost of travel, coaching and physiotherapy.',
      'Indoor hard courts reward aggressive serving and short points, and coaches say the conditions favour players who take the ball early and dictate from the first shot.',
      'The women’s game has produced a different champion at almost every major tournament over the past two years, a depth that organisers see as a strength and broadcasters as a challenge.',
      'The season ends with the tour finals, for which only the eight best players of the year qualify, and several places remain open with a month to go.',
      'Ranking points from the biggest events decide who is seeded at the majors, and a single deep run can lift a player dozens of places and change the draw she faces for the rest of the year.',
      'Tournament directors say ticket sales have never been stronger, but that keeping crowds in their seats for matches that start late in the evening is a growing challenge.',
      'Coaches increasingly travel with teams of analysts and physiotherapists, a cost that only the best-paid players can easily afford, and one reason the gap between the top and the rest remains wide.'
    ],
    link: 'The tour publishes <a href="https://www.tennistour.example.com/rankings">the latest rankings</a> every Monday.',
    comments: [
      'What a match. I stayed up for the whole thing and regret nothing.',
      'Equal prize money should have happened years ago, but better late than never.',
      'Those double faults were painful to watch. Cold conditions or nerves?'
    ]
  }
} satisfies Record<string, Topic>

type TopicName = keyof typeof TOPICS

interface Story {
  topic: TopicName
  slug: string
  title: string
  // Days before `now` the story was published; ignored for drafts and scheduled posts.
  ago: number
  lede: string
  detail: string[]
  // Alt text of the featured image; null for a post without one.
  image: string | null
  categories?: string[]
  tags?: string[]
  author?: string
  list?: { intro: string, items: string[], ordered?: boolean }
  // Name of the original publisher of a syndicated story (see SOURCES).
  source?: string
  sourcePath?: string
  status?: 'draft' | 'scheduled'
  closed?: true
}

// One entry per article, in topic order. Days ago are chosen so that a story arc (the
// Geneva talks, an election, a festival) reads in order.
const STORIES: Story[] = [
  {
    topic: 'diplomacy',
    slug: 'blinken-warns-russia',
    title: 'Blinken warns any Russian invasion of Ukraine will meet a swift, severe and united response after Lavrov meeting',
    tags: ['ukraine', 'russia', 'nato', 'united-states', 'diplomacy'],
    ago: 312,
    lede: 'The US Secretary of State, Antony Blinken, said on Friday that any Russian forces crossing Ukraine’s border would be met with a swift, severe and united response, after ninety minutes of talks with his Russian counterpart, Sergei Lavrov, in Geneva ended without a breakthrough.',
    detail: [
      'Speaking to reporters at a lakeside hotel after the meeting, Mr Blinken said the two men had not negotiated but had set out their positions, and that the United States would send Moscow a written reply to its security demands next week, after consulting allies. Both sides agreed to keep talking, though on little else.',
      'The meeting came two days after President Joe Biden caused confusion by suggesting that a “minor incursion” might draw a weaker response from NATO, remarks he later clarified. Ukrainian officials, who received a full briefing from Mr Blinken afterwards, said the message from Geneva had been clearer.'
    ],
    image: 'Antony Blinken and Sergei Lavrov shake hands before their meeting at a hotel in Geneva',
    categories: ['politics', 'world', 'europe'],
    author: 'maria-lopez',
    source: 'Example Wire',
    sourcePath: 'blinken-lavrov-geneva'
  },
  {
    topic: 'diplomacy',
    slug: 'zurich-back-channel-talks',
    title: 'Quiet back-channel talks in Zürich kept lines open before Geneva',
    tags: ['switzerland', 'united-states'],
    ago: 330,
    lede: 'Officials from Washington and Moscow met discreetly in Zürich in the weeks before the Geneva talks, according to three people familiar with the meetings, in an effort to keep communication open as the public rhetoric hardened.',
    detail: [
      'The meetings, held in a hotel near the lake with the knowledge of the Swiss foreign ministry, involved mid-level officials and focused on practical matters such as the timing of statements and the format of future talks rather than on substance.',
      'Switzerland has a long tradition of offering neutral ground for such contacts, and its diplomats are said to have provided the rooms, the security and very little else.'
    ],
    image: 'The lakeside promenade in Zürich on a winter morning',
  },
  {
    topic: 'diplomacy',
    slug: 'nato-allies-reinforce-eastern-flank',
    title: 'NATO allies send more troops and jets to the eastern flank as talks stall',
    tags: ['nato'],
    ago: 318,
    lede: 'Several NATO members said on Monday they would send additional troops, warships and fighter jets to Eastern Europe, describing the deployments as defensive and a direct response to Russia’s military build-up near Ukraine.',
    detail: [
      'Denmark is sending a frigate to the Baltic Sea and F-16 jets to Lithuania, Spain is preparing ships to join NATO naval forces, and the Netherlands has put two fighter jets and a ship on standby. The United States said it had placed several thousand troops on heightened alert.'
    ],
    image: 'Fighter jets lined up on an air base runway in Lithuania',
    categories: ['europe', 'world', 'politics'],
    list: { intro: 'The deployments announced so far:', items: ['Denmark: a frigate to the Baltic Sea and four F-16 jets to Lithuania.', 'Spain: ships to join NATO’s naval forces in the region.', 'The Netherlands: two F-35 jets and a ship on standby.', 'The United States: several thousand troops on heightened alert.'] }
  },
  {
    topic: 'diplomacy',
    slug: 'eu-prepares-sanctions-package',
    title: 'EU readies sanctions on Russian banks and energy to be adopted within days',
    tags: ['european-union', 'sanctions'],
    ago: 316,
    lede: 'European Union foreign ministers agreed on Monday to finish work on a package of economic sanctions against Russia that could be adopted within days of any new military aggression against Ukraine.',
    detail: [
      'Diplomats in Brussels say the measures would cut several large Russian banks off from European markets, restrict exports of advanced technology such as semiconductors and target individuals close to the Kremlin. Countries most dependent on Russian gas have argued for keeping energy out of the first round.'
    ],
    image: 'EU flags outside the Berlaymont building in Brussels',
    source: 'Example Wire'
  },
  {
    topic: 'diplomacy',
    slug: 'kyiv-asks-for-faster-deliveries',
    title: 'Kyiv urges partners to speed up deliveries of air defences',
    tags: ['sanctions'],
    ago: 314,
    lede: 'Ukraine’s foreign minister urged Western partners on Thursday to speed up deliveries of air-defence systems and anti-tank weapons, warning that diplomacy alone would not deter an attack.',
    detail: [
      'At a press conference in Kyiv, the minister thanked the United Kingdom, the Baltic states and the United States for shipments that had already arrived, but said his government needed more, and faster.',
      'He also called for sanctions to be announced in advance rather than held in reserve, arguing that their deterrent value was lost if Moscow did not know what they would be.'
    ],
    image: 'Ukraine’s foreign minister speaks at a lectern in Kyiv'
  },
  {
    topic: 'diplomacy',
    slug: 'geneva-talks-what-we-learned',
    title: 'Geneva talks: five things we learned from a day of diplomacy',
    tags: ['analysis', 'united-states', 'nato'],
    ago: 311,
    lede: 'The meeting between the American and Russian foreign ministers in Geneva produced no agreement, but it did reveal a good deal about where each side stands and what each is prepared to discuss.',
    detail: [
      'Taken together, the statements from both delegations and the briefings that followed suggest that the door to diplomacy remains open, if only slightly. These are the points that stood out.'
    ],
    image: 'Journalists wait outside the hotel in Geneva where the talks took place',
    categories: ['world', 'europe', 'politics'],
    list: { intro: 'What we learned:', ordered: true, items: ['Neither side expected a breakthrough, and neither got one.', 'Washington will reply to Moscow’s demands in writing, as the Kremlin had asked.', 'NATO membership for Ukraine remains the central point of disagreement.', 'Arms control and military exercises are areas where a deal is possible.', 'The two ministers expect to meet again once the written replies have been studied.'] }
  },
  {
    topic: 'diplomacy',
    slug: 'written-response-delivered',
    title: 'Washington hands Moscow its written response on security demands',
    tags: ['united-states', 'nato'],
    ago: 306,
    lede: 'The US ambassador in Moscow delivered a written response to Russia’s security proposals on Wednesday, offering talks on arms control and military exercises but rejecting any Russian veto over NATO membership.',
    detail: [
      'The document, which was shared with allies beforehand and will not be published, sets out what officials called a serious diplomatic path. The Kremlin said it would study the reply carefully before deciding on its next steps, while cautioning that it saw little reason for optimism.'
    ],
    image: 'The US embassy in Moscow behind a snow-covered fence',
    categories: ['world', 'europe', 'politics']
  },
  {
    topic: 'elections',
    slug: 'young-voters-registration-surge',
    title: 'Registration surge among young voters before the deadline',
    ago: 214,
    lede: 'The number of people under twenty-five applying to register to vote rose sharply in the final week before the deadline, official figures show, after a social media campaign backed by musicians and footballers.',
    detail: [
      'More than 400,000 applications were made by under-25s in the last seven days alone, roughly double the figure for the same period before the previous election, although some will be duplicates from people who were already registered.'
    ],
    image: 'Students fill in voter registration forms on laptops in a university library'
  },
  {
    topic: 'elections',
    slug: 'suburbs-decide-the-race',
    title: 'Why a few dozen suburban seats will decide this election',
    tags: ['analysis'],
    ago: 208,
    lede: 'A handful of suburban and small-town constituencies that have swung back and forth for a decade hold the key to a parliamentary majority. We spent a week in three of them.',
    detail: [
      'In each, voters we spoke to outside supermarkets, school gates and railway stations described a similar mood: weary of both main parties, worried about bills and mortgages, and still undecided a fortnight before polling day.',
      'Several said they would decide in the booth. One retired teacher said she had voted for three different parties at the last three elections and did not rule out a fourth.'
    ],
    image: 'A row of semi-detached houses with campaign posters in the windows'
  },
  {
    topic: 'elections',
    slug: 'final-debate-takeaways',
    title: 'Final debate: the moments that mattered',
    tags: ['cost-of-living'],
    ago: 203,
    lede: 'The two leading candidates clashed over housing, taxes and the cost of energy in a final televised debate watched by more than six million people on Tuesday night.',
    detail: [
      'Snap polls afterwards suggested a narrow win for the challenger on the question of who had a clearer plan, while viewers judged the prime minister more trustworthy, leaving neither campaign with the decisive moment it had hoped for.'
    ],
    image: 'The two party leaders at podiums on a television studio stage',
    list: { intro: 'Where they clashed:', items: ['Housing: both promised more homes; neither explained how they would be built.', 'Taxes: the challenger ruled out rises in income tax for the whole of the next parliament.', 'Energy: the prime minister defended the price cap and the windfall levy.'] }
  },
  {
    topic: 'elections',
    slug: 'postal-ballots-slow-count',
    title: 'Postal ballots could delay results in the closest seats',
    ago: 201,
    lede: 'Election officials warned on Monday that results in the tightest constituencies may not be known until the day after polling, because of a record number of postal votes that must be verified before they can be counted.',
    detail: [
      'Each returned postal ballot must have its signature and date of birth checked against the original application before it is opened, a process that cannot be completed for the final batches until polls close.'
    ],
    image: 'Sealed postal ballot envelopes stacked in trays at a count centre'
  },
  {
    topic: 'elections',
    slug: 'early-turnout-record',
    title: 'Early voting breaks records as polls tighten',
    ago: 199,
    lede: 'More people cast their ballots before polling day than at any election in a decade, officials said on Wednesday, as the final surveys showed the race between the two largest parties within the margin of error.',
    detail: [
      'In some suburban districts the number of postal votes already returned exceeds the total cast in person at the last election, according to figures from local returning officers.'
    ],
    image: 'A queue of voters outside a polling station in a church hall',
    source: 'Northern Courier'
  },
  {
    topic: 'elections',
    slug: 'observers-praise-count',
    title: 'Observers praise the count but want clearer rules for election night',
    ago: 192,
    lede: 'International observers said the general election had been well run and transparent, but recommended new rules on the publication of partial results while votes are still being counted.',
    detail: [
      'In a preliminary report, the observer mission said it had found no evidence of irregularities that could have affected the outcome in any constituency, and praised the professionalism of polling staff, many of them volunteers.'
    ],
    image: null
  },
  {
    topic: 'policy',
    slug: 'energy-bill-support-plan',
    title: 'Government unveils plan to cut household energy bills this winter',
    tags: ['inflation'],
    ago: 452,
    lede: 'Ministers published a plan on Tuesday to cap household energy prices and give extra help to lower-income families, paid for in part by a temporary levy on the profits of energy companies.',
    detail: [
      'Under the plan, the typical household bill will be capped at its current level until the spring, while families receiving means-tested benefits will get two additional payments, in December and February. Pensioners will receive a separate winter fuel top-up.'
    ],
    image: 'A smart meter display showing the cost of electricity used today',
    categories: ['policy', 'politics']
  },
  {
    topic: 'policy',
    slug: 'renters-left-out',
    title: 'Renters say the new support package leaves them out in the cold',
    ago: 448,
    lede: 'Tenant groups said on Thursday that the government’s cost-of-living package did little for the millions of people who rent, and called for limits on rent increases and an end to no-fault evictions.',
    detail: [
      'Average private rents have risen by about nine per cent over the past year, the fastest increase on record, and tenants’ organisations say many renters pay for energy through their landlords and so cannot benefit directly from the new cap.'
    ],
    image: 'Letting agent boards outside a block of flats'
  },
  {
    topic: 'policy',
    slug: 'windfall-levy-explained',
    title: 'The windfall levy explained: who pays, and how much',
    tags: ['analysis'],
    ago: 445,
    lede: 'The temporary tax on the extraordinary profits of oil and gas producers is expected to raise billions over the next two years. Here is how it works, and who will feel it.',
    detail: [
      'The levy applies to profits from extracting oil and gas in the country, not to companies’ worldwide earnings, and is charged on top of the existing corporation tax. Firms can reduce their bill by investing in new production, a provision critics call a loophole and ministers call an incentive.'
    ],
    image: 'An offshore oil platform in the North Sea at dusk',
    list: { intro: 'The levy at a glance:', items: ['Rate: 25 per cent, on top of existing taxes.', 'Duration: two years, unless parliament renews it.', 'Expected revenue: about £5 billion in its first year.', 'Relief: 80p of every £1 invested in new extraction can be deducted.'] }
  },
  {
    topic: 'policy',
    slug: 'budget-office-costs-plan',
    title: 'Budget watchdog puts the cost of the energy plan at one per cent of national income',
    tags: ['inflation'],
    ago: 440,
    lede: 'The independent budget office estimated on Wednesday that the government’s energy support will cost just under one per cent of national income over two years, and warned that the figure could rise sharply if wholesale prices climb again.',
    detail: [
      'The watchdog said its estimate assumed that wholesale gas prices would fall gradually through next year, in line with futures markets, but that a cold winter or a disruption to supplies could push the cost up by half.'
    ],
    image: 'The front page of the budget office report on a desk'
  },
  {
    topic: 'policy',
    slug: 'parliament-approves-energy-bill',
    title: 'MPs approve the energy support bill after a late-night debate',
    ago: 425,
    lede: 'The energy support bill passed its final stage in parliament shortly before midnight on Wednesday, after the government accepted an amendment requiring a review of the scheme every three months.',
    detail: [
      'Twelve government backbenchers had threatened to rebel unless the review was written into law. The minister responsible said the change reflected the government’s intentions all along; opposition MPs said it showed a government that had been forced to listen.'
    ],
    image: 'The debating chamber of parliament late at night',
    categories: ['parliament', 'policy']
  },
  {
    topic: 'policy',
    slug: 'childcare-reform-bill',
    title: 'Childcare reform bill clears its first vote in parliament',
    ago: 96,
    lede: 'A bill to extend free childcare to children from nine months old passed its first vote in parliament on Monday with support from both sides of the chamber, although its cost and a shortage of nursery places remain disputed.',
    detail: [
      'Nursery providers say the hourly rate the government pays them for funded places is below the cost of providing care, and that without an increase many settings will have to raise prices for other hours or close.'
    ],
    image: 'Toddlers playing with wooden blocks at a nursery',
    categories: ['parliament', 'policy']
  },
  {
    topic: 'americas',
    slug: 'amazon-deforestation-falls',
    title: 'Amazon deforestation falls to its lowest level in six years',
    tags: ['brazil', 'climate-change'],
    ago: 540,
    lede: 'Clearing of the Amazon rainforest fell by almost a third over the past year, according to satellite data published on Thursday, which the government credited to tougher enforcement and new penalties for illegal loggers.',
    detail: [
      'Some 6,000 square kilometres were cleared in the twelve months to July, an area still larger than several small countries, but the lowest figure since monitoring was tightened six years ago. Fires, which often follow clearing, also declined.'
    ],
    image: 'Aerial view of rainforest beside a cleared patch of land in Pará',
    categories: ['americas', 'climate'],
    source: 'Global Desk'
  },
  {
    topic: 'americas',
    slug: 'drought-hits-harvests',
    title: 'Third year of drought cuts harvests in southern Brazil',
    tags: ['brazil', 'climate-change'],
    ago: 610,
    lede: 'Farmers in southern Brazil reported another poor harvest of soy and maize this season, as a third consecutive year of drought took its toll on crops, cattle and the rivers that supply hydroelectric dams.',
    detail: [
      'In Rio Grande do Sul, some farmers said they had lost more than half of their expected yield, and agricultural co-operatives have asked the government to extend the deadline for repaying loans taken out to buy seed and fertiliser.'
    ],
    image: 'Cracked earth in a dried-up reservoir in Rio Grande do Sul'
  },
  {
    topic: 'americas',
    slug: 'sao-paulo-business-optimism',
    title: 'São Paulo business leaders greet growth figures with cautious optimism',
    tags: ['brazil'],
    ago: 265,
    lede: 'Executives in Brazil’s financial capital said on Tuesday that the economy had avoided the sharp slowdown many had feared, although high interest rates continue to weigh on investment and on household debt.',
    detail: [
      'Figures from the statistics agency showed the economy grew by 0.8 per cent in the third quarter, driven by services and a record soybean harvest, while industrial output was flat.'
    ],
    image: 'Office towers along Avenida Paulista in São Paulo',
    categories: ['americas', 'business']
  },
  {
    topic: 'americas',
    slug: 'critical-minerals-deal',
    title: 'Washington seeks closer ties with South America on critical minerals',
    tags: ['united-states'],
    ago: 150,
    lede: 'US officials are negotiating agreements with several South American governments to secure supplies of lithium and copper for electric-car batteries and power grids, as competition with China for the metals intensifies.',
    detail: [
      'Chile, Argentina and Bolivia together hold more than half of the world’s known lithium resources, and governments in the region have made clear that they want more of the processing, and the jobs, to stay at home.'
    ],
    image: 'Evaporation ponds at a lithium mine in the Atacama desert'
  },
  {
    topic: 'americas',
    slug: 'regional-summit-agenda',
    title: 'South American leaders put migration and forests on summit agenda',
    tags: ['brazil', 'climate-change'],
    ago: 88,
    lede: 'Presidents from across South America will meet in Brasília next month to discuss migration, energy links and the protection of forests that span their borders, the host government announced on Monday.',
    detail: [
      'It will be the first such meeting in nearly a decade. Officials hope to agree a joint plan for the Amazon before the next international climate summit, where the region wants to press richer countries to pay for forest protection.'
    ],
    image: 'The presidential palace in Brasília under a blue sky'
  },
  {
    topic: 'ai',
    slug: 'new-language-model-fewer-errors',
    title: 'New language model makes fewer errors, independent tests find',
    ago: 700,
    lede: 'A new large language model released this week made significantly fewer factual mistakes than its predecessor in tests run by independent university researchers, although it still invented sources when asked for references.',
    detail: [
      'The researchers asked the model more than two thousand questions with verifiable answers, drawn from encyclopaedias, court records and scientific papers. It answered 87 per cent correctly, compared with 74 per cent for the previous version, and was more willing to say that it did not know.'
    ],
    image: 'A researcher reviews chatbot answers on two monitors',
    closed: true
  },
  {
    topic: 'ai',
    slug: 'eu-ai-rules-finalised',
    title: 'EU finalises rules for the most powerful AI models',
    tags: ['european-union'],
    ago: 520,
    lede: 'European officials agreed on Friday the final details of rules that will require the developers of the most capable artificial intelligence systems to test them for risks, report serious incidents and publish summaries of their training data.',
    detail: [
      'The obligations apply to so-called general-purpose models trained with more than a threshold amount of computing power, a definition that currently captures only a handful of systems. Fines for breaches can reach three per cent of a company’s worldwide turnover.'
    ],
    image: 'Delegates in a meeting room at the European Parliament',
    categories: ['ai', 'europe'],
  },
  {
    topic: 'ai',
    slug: 'ai-assistants-at-work',
    title: 'AI assistants are everywhere at work. Are they making anyone faster?',
    tags: ['analysis', 'jobs'],
    ago: 380,
    lede: 'Companies are rolling out AI tools for writing, coding and customer service at remarkable speed, but surprisingly few have measured what the tools actually change about the work.',
    detail: [
      'One of the few rigorous studies, of a call centre that gave an AI assistant to some of its staff and not to others, found that the least experienced agents resolved fourteen per cent more queries an hour, while the most experienced saw almost no benefit.'
    ],
    image: 'Call centre staff wearing headsets in front of screens',
  },
  {
    topic: 'ai',
    slug: 'open-source-models-close-gap',
    title: 'Open-source AI models close the gap with commercial rivals',
    ago: 240,
    lede: 'Freely available language models now come close to the best commercial systems on many standard benchmarks, allowing universities, hospitals and small companies to run them on their own hardware.',
    detail: [
      'A hospital in Zürich is testing an open model to summarise patient notes on its own servers, so that no medical data leaves the building. Its engineers say that a capable model small enough to run on a single graphics card would have been unthinkable two years ago.'
    ],
    image: 'Racks of servers in a small university data centre'
  },
  {
    topic: 'ai',
    slug: 'interview-ai-researcher',
    title: '“Confidence is not correctness”: an AI researcher on why chatbots make things up',
    tags: ['interview'],
    ago: 130,
    lede: 'We spoke to a computer scientist who studies why language models invent facts, and asked her what it would take for them to admit uncertainty.',
    detail: [
      'Her answer begins with how the systems are built. “The model is trained to produce the next plausible word,” she said. “Nothing in that objective rewards it for saying I don’t know. We have to add that later, and it is surprisingly hard.”',
      'Her group has built a test in which models are asked questions that have no answer, such as the title of a book that was never written. The best systems now decline most of them; the worst invent a plot, an author and a publication date.'
    ],
    image: 'A computer scientist at a whiteboard covered in diagrams',
  },
  {
    topic: 'ai',
    slug: 'chip-shortage-data-centres',
    title: 'Chip shortage slows the race to build AI data centres',
    ago: 9,
    lede: 'Demand for the specialised chips used to train and run AI models far outstrips supply, leaving companies waiting months for hardware and pushing some to rent computing power at steep prices.',
    detail: [
      'The shortage is concentrated in the most advanced processors, which are made in only a handful of factories. Chipmakers are building new plants, but they take years to complete, and analysts do not expect supply to catch up before the end of next year.'
    ],
    image: 'A technician holds a graphics processor in a clean room',
    categories: ['ai', 'companies']
  },
  {
    topic: 'security',
    slug: 'ransomware-attack-hospital-supplier',
    title: 'Ransomware attack on hospital supplier began with a stolen password',
    ago: 660,
    lede: 'Investigators say the attackers who crippled a major supplier of medical equipment to hospitals got in through a contractor’s account that was protected only by a password.',
    detail: [
      'Hospitals across three regions reported delays to deliveries of gloves, catheters and surgical kits in the days after the attack, and some postponed routine operations while staff checked stock levels by hand.'
    ],
    image: 'Boxes of medical supplies stacked in an empty warehouse',
    closed: true
  },
  {
    topic: 'security',
    slug: 'backup-lessons-after-attack',
    title: 'Tested backups saved the company from ransomware. Here is how',
    tags: ['analysis'],
    ago: 470,
    lede: 'When ransomware encrypted thousands of machines overnight at a logistics firm, the difference between days of disruption and months of it was a set of backups that had been tested only weeks before.',
    detail: [
      'The firm kept copies of its critical systems offline and rehearsed restoring them twice a year. Within seventy-two hours its warehouses were shipping again, and the company never entered negotiations with the attackers.'
    ],
    image: 'Tape backup cartridges in a fireproof safe',
    list: { intro: 'What the firm did before the attack:', items: ['Kept backups offline, where the attackers could not reach them.', 'Restored a full copy of its systems twice a year, on a schedule.', 'Wrote down who decides what, so that nobody had to improvise at 3am.'] }
  },
  {
    topic: 'security',
    slug: 'agencies-warn-remote-access-flaw',
    title: 'Security agencies warn of actively exploited flaw in remote-access software',
    ago: 290,
    lede: 'Cybersecurity agencies in five countries urged organisations on Tuesday to patch a vulnerability in widely used remote-access software, warning that criminal groups were already exploiting it to break into corporate networks.',
    detail: [
      'The flaw allows an attacker to bypass the login page entirely on devices that have not been updated. Scans of the internet suggest that more than 20,000 vulnerable systems are still exposed, many of them belonging to small businesses and local councils.'
    ],
    image: null,
    source: 'Northern Courier'
  },
  {
    topic: 'security',
    slug: 'cyber-insurance-tightens',
    title: 'Cyber insurers tighten their rules as claims climb',
    ago: 170,
    lede: 'Insurers are demanding multi-factor authentication, tested backups and written incident plans before they will cover businesses against cyber attacks, after a sharp rise in claims from ransomware.',
    detail: [
      'Premiums for cyber cover roughly doubled over two years, brokers say, and some insurers now exclude attacks attributed to states, a clause that has already been challenged in court.'
    ],
    image: 'An insurance broker’s office with policy documents on the desk',
    categories: ['security', 'companies']
  },
  {
    topic: 'security',
    slug: 'password-reuse-still-top-risk',
    title: 'Password reuse is still the biggest security risk, annual breach report finds',
    ago: 60,
    lede: 'Stolen and reused passwords were behind the largest share of data breaches for the seventh year running, according to an annual report that analysed more than 5,000 confirmed incidents.',
    detail: [
      'Phishing emails remained the most common way of stealing passwords, but the report also found a rise in attacks that bombard users with login prompts on their phones until they give in and approve one.'
    ],
    image: 'A login screen asking for a password and a one-time code',
    list: { intro: 'The report’s advice for individuals:', items: ['Use a password manager and a different password for every account.', 'Turn on two-factor authentication, preferably with an app or a security key.', 'Treat an unexpected login prompt as an attack, not a glitch.'] }
  },
  {
    topic: 'climate',
    slug: 'cities-prepare-for-heat',
    title: 'Cities plant trees and open cooling centres as summers get hotter',
    ago: 480,
    lede: 'From Seville to Chicago, city governments are investing in trees, shade and cooling centres after a run of heatwaves that killed thousands of people, most of them elderly.',
    detail: [
      'Paris plans to plant 170,000 trees by the end of the decade, Athens has appointed a chief heat officer, and several cities now send text messages warning residents of extreme temperatures days in advance.'
    ],
    image: 'Shade sails stretched over a shopping street in Seville',
  },
  {
    topic: 'climate',
    slug: 'wind-solar-overtake-fossil-fuels',
    title: 'Wind and solar overtake fossil fuels in EU electricity for the first time',
    tags: ['renewables', 'european-union'],
    ago: 470,
    lede: 'Wind and solar farms generated more of the European Union’s electricity than fossil fuels over the first half of the year, according to an analysis by an energy think-tank published on Thursday.',
    detail: [
      'Solar output rose by a fifth compared with a year earlier as new panels were installed on rooftops and farmland, while coal generation fell to its lowest level since records began.'
    ],
    image: 'Wind turbines and solar panels on farmland in northern Germany',
    categories: ['climate', 'europe'],
  },
  {
    topic: 'climate',
    slug: 'swiss-glaciers-record-loss',
    title: 'Swiss glaciers suffer another year of record loss',
    tags: ['switzerland'],
    ago: 400,
    lede: 'Glaciers in Switzerland lost about four per cent of their remaining ice this year, the national monitoring network reported on Tuesday, after a winter with little snow was followed by a summer of repeated heatwaves.',
    detail: [
      'It is the second time in three years that losses have exceeded three per cent, a level scientists once considered extreme. Over the past decade, the country’s glaciers have lost almost a third of their volume.'
    ],
    image: 'Researchers drill a measuring stake into the Rhône glacier',
  },
  {
    topic: 'climate',
    slug: 'zurich-water-supply-glaciers',
    title: 'What melting glaciers mean for Zürich’s water',
    tags: ['switzerland', 'analysis'],
    ago: 395,
    lede: 'As the Alpine ice retreats, scientists and engineers in Zürich are planning for summers in which rivers carry much less meltwater, and for what that means for drinking water, shipping and power.',
    detail: [
      'The city draws most of its drinking water from the lake and from groundwater, which are less exposed than mountain villages that depend on streams fed directly by glaciers. But warmer lake water and lower summer flows in the Limmat are already changing how the utility operates.'
    ],
    image: 'The river Limmat flowing through Zürich’s old town',
  },
  {
    topic: 'climate',
    slug: 'warmest-twelve-months',
    title: 'The past twelve months were the warmest on record, scientists confirm',
    ago: 230,
    lede: 'Global average temperatures over the past twelve months were the highest in records going back to the middle of the nineteenth century, climate scientists said on Wednesday.',
    detail: [
      'The twelve-month average was about 1.5C above the pre-industrial level, the threshold governments agreed in Paris to try to stay below, although scientists stress that the target refers to an average over decades, not a single year.'
    ],
    image: 'A thermometer on a city street showing 41C',
    source: 'Global Desk'
  },
  {
    topic: 'climate',
    slug: 'adaptation-finance-summit',
    title: 'Adaptation finance will again dominate the climate summit',
    ago: 2,
    lede: 'Negotiators preparing for the next international climate summit say the hardest question will once again be money: how to pay for poorer countries to protect themselves from floods, droughts and rising seas.',
    detail: [
      'A United Nations report estimates that developing countries need at least ten times more funding for adaptation than they currently receive. Richer nations have promised to double their contributions, but progress has been slow and much of the money comes as loans.'
    ],
    image: 'Flood defences under construction on a river delta',
    categories: ['climate', 'world'],
  },
  {
    topic: 'climate',
    slug: 'alpine-snow-season-shortens',
    title: 'Alpine snow season is a month shorter than fifty years ago, study finds',
    tags: ['switzerland'],
    ago: 0,
    lede: 'The period each year when the ground in the Alps is covered by snow has shortened by more than a month since the 1970s, according to a study that combined weather station records with satellite data.',
    detail: [
      'The biggest changes were at middle altitudes, between 1,000 and 2,000 metres, where many ski resorts operate. Above 2,500 metres, snow cover has so far changed relatively little, the researchers said.'
    ],
    image: 'A ski run of artificial snow between green alpine meadows',
    status: 'scheduled'
  },
  {
    topic: 'space',
    slug: 'telescope-early-galaxies',
    title: 'Space telescope spots galaxies from the dawn of the universe',
    tags: ['nasa'],
    ago: 720,
    lede: 'Astronomers using the space telescope have identified galaxies that formed just 300 million years after the Big Bang, pushing back the frontier of the observable universe.',
    detail: [
      'The galaxies appear as faint red smudges in the deepest images yet taken by the telescope. Their distances were confirmed by splitting their light into a spectrum, which shows how much it has been stretched by the expansion of the universe.'
    ],
    image: 'A deep-field telescope image filled with distant galaxies',
    source: 'Global Desk',
    closed: true
  },
  {
    topic: 'space',
    slug: 'mars-sample-return-budget',
    title: 'Mars sample-return mission wins a place in the space budget',
    tags: ['nasa'],
    ago: 575,
    lede: 'The space agency’s budget request includes funding to continue work on bringing rock samples collected on Mars back to Earth, after months of uncertainty about the mission’s cost.',
    detail: [
      'The rover has already sealed more than twenty samples in tubes, some of them left on the surface for later collection. An independent review last year warned that the original plan could cost twice its budget, prompting the agency to look for cheaper designs.'
    ],
    image: 'A rover’s sample tube lying on reddish Martian soil'
  },
  {
    topic: 'space',
    slug: 'heat-shield-redesign',
    title: 'Heat shield redesigned after unexpected erosion on test flight',
    tags: ['nasa'],
    ago: 560,
    lede: 'The capsule’s heat shield has been modified after it lost more material than expected during re-entry on the uncrewed test mission, space agency officials said.',
    detail: [
      'Chunks of the protective layer broke away rather than wearing down evenly as designers intended. Engineers traced the problem to gases trapped inside the material, and have changed both its composition and the path the capsule will take through the atmosphere.'
    ],
    image: 'The scorched heat shield of a capsule on a test stand'
  },
  {
    topic: 'space',
    slug: 'satellite-streaks-astronomy',
    title: 'Satellite streaks are spoiling astronomers’ images',
    ago: 350,
    lede: 'Observatories around the world report that the growing number of satellites in low orbit is leaving bright trails across long-exposure images, and that the problem will worsen as tens of thousands more are launched.',
    detail: [
      'One study found that about a third of the images taken at twilight by a survey telescope in California contained at least one satellite trail. Software can remove some of them, but not without losing part of the data underneath.'
    ],
    image: 'Diagonal satellite trails across a long-exposure image of the night sky'
  },
  {
    topic: 'space',
    slug: 'lunar-mission-countdown-rehearsal',
    title: 'Lunar mission completes full countdown rehearsal',
    tags: ['nasa'],
    ago: 210,
    lede: 'Engineers ran through a complete countdown for the first crewed flight around the Moon on Saturday, fuelling the rocket and stopping the clock just seconds before the engines would have ignited.',
    detail: [
      'The four astronauts did not take part, but a support crew went through every step of boarding the capsule. Mission managers said the rehearsal had uncovered only minor issues, including a sensor that gave a false reading.'
    ],
    image: 'The Moon rocket on its launch pad at dawn'
  },
  {
    topic: 'space',
    slug: 'student-satellite-reaches-orbit',
    title: 'Student-built satellite reaches orbit on its first attempt',
    ago: 110,
    lede: 'A satellite the size of a shoebox, designed and built by students at a technical university, reached orbit on Tuesday and sent back its first signals within two hours of launch.',
    detail: [
      'The satellite carries a detector, built by the students themselves, that will measure radiation levels in low orbit for at least a year. About sixty students have worked on the project over five years, many of whom have since graduated.'
    ],
    image: 'Students cheer in a university ground station as the first signal arrives'
  },
  {
    topic: 'health',
    slug: 'walking-heart-disease-study',
    title: 'Regular walking linked to lower heart disease risk in ten-year study',
    ago: 500,
    lede: 'Adults who walked for at least thirty minutes on most days had a substantially lower risk of heart disease over a decade than those who rarely walked, according to a large study published on Monday.',
    detail: [
      'The risk was about a fifth lower among regular walkers, even after accounting for age, income, smoking and weight. The benefit appeared at relatively modest levels of activity, and grew only slightly among people who walked much more.'
    ],
    image: 'Walkers on a footpath through a city park in autumn'
  },
  {
    topic: 'health',
    slug: 'flu-admissions-rise-early',
    title: 'Flu admissions rise early as officials urge over-65s to get vaccinated',
    ago: 360,
    lede: 'The number of people admitted to hospital with flu has risen for three weeks running, health officials said on Thursday, urging older people to take up the seasonal vaccine before infections peak.',
    detail: [
      'Admissions are still well below the levels seen in the worst recent winters, but officials said the rise had begun two or three weeks earlier than usual, and that children returning to school were spreading infections quickly.'
    ],
    image: 'A pharmacist gives a flu vaccination to an older man',
    categories: ['health', 'policy']
  },
  {
    topic: 'health',
    slug: 'pharmacists-prescribing-powers',
    title: 'Pharmacists gain powers to prescribe for common infections',
    ago: 280,
    lede: 'Pharmacists will be able to assess and treat seven common conditions, including sore throats, earache and urinary infections, without a GP appointment from next month.',
    detail: [
      'The government says the change will free up around ten million GP appointments a year. Doctors’ groups broadly welcomed the plan but asked for safeguards to make sure that serious conditions are not missed.'
    ],
    image: 'A pharmacist talks to a customer in a private consultation room',
    categories: ['health', 'policy']
  },
  {
    topic: 'health',
    slug: 'surgery-waiting-lists',
    title: 'Waiting lists for planned surgery remain near record levels',
    ago: 0,
    lede: 'Almost seven and a half million procedures are waiting to be carried out, the latest figures show, with patients waiting longest for hip and knee replacements and for some eye operations.',
    detail: [
      'Hospitals carried out more operations this year than last, but new referrals have kept pace, and staff shortages mean that operating theatres are not always used at full capacity, according to the figures.'
    ],
    image: 'An empty operating theatre with its lights switched on',
    status: 'draft'
  },
  {
    topic: 'markets',
    slug: 'wage-growth-stays-high',
    title: 'Wage growth stays high, complicating the inflation fight',
    tags: ['inflation', 'interest-rates'],
    ago: 358,
    lede: 'Pay rose faster than economists expected in the three months to September, a sign that the labour market remains tight despite the highest interest rates in fifteen years.',
    detail: [
      'Regular pay, excluding bonuses, grew by 7.7 per cent compared with a year earlier. Adjusted for inflation, wages have now been rising for several months, after a long period in which they fell in real terms.'
    ],
    image: 'Workers on a building site at the start of a shift'
  },
  {
    topic: 'markets',
    slug: 'inflation-falls-to-three-percent',
    title: 'Inflation falls to 3.1% as energy prices ease',
    tags: ['inflation', 'cost-of-living', 'interest-rates'],
    ago: 350,
    lede: 'Consumer price inflation slowed for a third month in October, official figures showed on Wednesday, giving the central bank more room to consider cutting interest rates next year.',
    detail: [
      'Energy prices fell by more than eight per cent over the year, while the rise in food prices slowed to its lowest rate in eighteen months. Core inflation, which strips out volatile items such as energy and food, fell more slowly, to 4.2 per cent.'
    ],
    image: 'Price labels on fruit and vegetables at a market stall',
    categories: ['markets', 'business'],
    source: 'Example Wire'
  },
  {
    topic: 'markets',
    slug: 'central-bank-holds-rates',
    title: 'Central bank holds rates and signals cuts could come in spring',
    tags: ['interest-rates', 'inflation'],
    ago: 345,
    lede: 'The central bank left its main interest rate unchanged at 5.25 per cent on Thursday, but said it could begin lowering borrowing costs in the spring if inflation keeps falling.',
    detail: [
      'Seven of the nine members of the rate-setting committee voted to hold, while two voted for an immediate cut of a quarter of a percentage point. It was the first time in three years that any member had voted for lower rates.'
    ],
    image: 'The central bank’s headquarters on a grey afternoon'
  },
  {
    topic: 'markets',
    slug: 'pound-weakens-rate-cut-hint',
    title: 'Pound weakens as the central bank hints at earlier rate cuts',
    tags: ['interest-rates'],
    ago: 344,
    lede: 'The pound fell by almost one per cent against the dollar on Friday, a day after the central bank’s governor said interest rates could be cut sooner than markets had expected.',
    detail: [
      'The fall reversed most of the currency’s gains over the previous fortnight. Analysts said a weaker pound could add slightly to inflation by making imported goods more expensive, something the central bank would weigh at its next meeting.'
    ],
    image: null
  },
  {
    topic: 'markets',
    slug: 'retailers-slow-holiday-start',
    title: 'Retailers report a slow start to the holiday season',
    tags: ['cost-of-living', 'inflation'],
    ago: 335,
    lede: 'Shoppers are trading down to cheaper brands and waiting for discounts, retailers said on Tuesday, as high prices continue to squeeze household budgets in the run-up to Christmas.',
    detail: [
      'Sales volumes in November were two per cent lower than a year earlier, according to an industry survey, although spending rose in value because of higher prices. Online sales held up better than those on the high street.'
    ],
    image: 'Shoppers with bags on a high street decorated for Christmas',
    categories: ['markets', 'companies']
  },
  {
    topic: 'markets',
    slug: 'sao-paulo-stocks-record',
    title: 'São Paulo stocks close at a record high',
    tags: ['brazil', 'interest-rates'],
    ago: 190,
    lede: 'Brazilian shares reached an all-time high on Friday as commodity prices rose and foreign investors returned to emerging markets on expectations of lower interest rates in the United States.',
    detail: [
      'The benchmark index has gained more than fifteen per cent since the start of the year, led by mining and oil companies and by banks, which have benefited from strong demand for credit.'
    ],
    image: 'Traders watch screens at the São Paulo stock exchange',
    categories: ['markets', 'americas'],
  },
  {
    topic: 'companies',
    slug: 'carmaker-battery-plant',
    title: 'Carmaker to build battery plant, creating 4,000 jobs',
    tags: ['jobs'],
    ago: 620,
    lede: 'A carmaker announced on Wednesday that it would build a factory to make batteries for electric vehicles, creating about 4,000 jobs and ending months of speculation about where the plant would go.',
    detail: [
      'The company said it had chosen the site because of its port, its access to renewable electricity and a government grant whose size has not been disclosed. Production is due to start in three years.'
    ],
    image: 'An electric car on the assembly line at a car factory',
    closed: true
  },
  {
    topic: 'companies',
    slug: 'supermarket-merger-review',
    title: 'Regulator opens in-depth review of supermarket merger',
    tags: ['cost-of-living'],
    ago: 410,
    lede: 'The competition regulator said on Monday that it would open an in-depth investigation into the proposed merger of two supermarket chains, warning that the deal could lead to higher prices in hundreds of towns.',
    detail: [
      'The combined group would have about a quarter of the grocery market. The companies said they were confident that the deal would be approved and that savings from combining their buying would be passed on to shoppers.'
    ],
    image: 'Trolleys lined up outside a large supermarket'
  },
  {
    topic: 'companies',
    slug: 'airline-returns-to-profit',
    title: 'Airline returns to profit and restarts its dividend',
    ago: 250,
    lede: 'The airline reported its first full-year profit since before the pandemic on Thursday and said it would resume paying dividends, as strong demand for summer travel outweighed higher fuel costs.',
    detail: [
      'Passenger numbers were back to 95 per cent of their pre-pandemic level, and fares were about a tenth higher. The company said bookings for next summer were already ahead of last year.'
    ],
    image: 'Passenger jets parked at gates at a busy airport'
  },
  {
    topic: 'companies',
    slug: 'zurich-insurer-job-cuts',
    title: 'Zürich insurer to cut 1,200 jobs as it automates back-office work',
    tags: ['jobs', 'switzerland'],
    ago: 75,
    lede: 'A Zürich-based insurer said on Tuesday that it would cut about 1,200 jobs over three years, most of them in administrative roles, as it invests in automation and simplifies its business.',
    detail: [
      'The company said most of the reductions would come from not replacing people who leave, and that it would offer retraining to staff whose roles change. Unions in Switzerland and Germany said they would seek talks.'
    ],
    image: 'The glass headquarters of an insurance company in Zürich',
  },
  {
    topic: 'film',
    slug: 'streamers-buy-at-festival',
    title: 'Streaming services snap up festival titles before they screen',
    tags: ['festivals'],
    ago: 432,
    lede: 'Streaming platforms signed deals for several of the festival’s most anticipated films before their first public screenings, in a market that sellers described as the busiest in years.',
    detail: [
      'At least three films were sold for more than ten million dollars each. Some producers said they preferred the certainty of a streaming deal; others held out for a cinema release, arguing that it builds a film’s reputation.'
    ],
    image: 'Buyers and sellers talk at tables in a festival market hall'
  },
  {
    topic: 'film',
    slug: 'fishing-village-drama-premiere',
    title: 'Black-and-white fishing village drama wins the festival over',
    tags: ['festivals'],
    ago: 430,
    lede: 'A quiet family drama shot in a fishing village drew a long standing ovation at its premiere on Saturday night and is now a favourite for the festival’s top prize.',
    detail: [
      'Shot in black and white over six weeks, the film follows a family whose boat is seized after a dispute over quotas, and the months of waiting that follow. Its director, whose previous film was a documentary about the same coastline, cast local people in every role except one.'
    ],
    image: 'The cast of the fishing village drama on the red carpet'
  },
  {
    topic: 'film',
    slug: 'interview-first-time-director',
    title: '“I wanted the silence to speak”: meeting the festival’s breakout director',
    tags: ['festivals', 'interview'],
    ago: 428,
    lede: 'The director of this year’s most talked-about film explains why she cast non-professional actors, shot on 35mm film and refused to use music.',
    detail: [
      '“People in that village speak very little, and when they do it matters,” she said, sitting on a hotel terrace the morning after the premiere. “If I had put music under the scenes, I would have been telling the audience what to feel.”',
      'She financed the film with a regional grant, a loan from her parents and a crew of eleven who agreed to defer part of their fees until it sold. It sold the day after the premiere.'
    ],
    image: 'The director photographed on a hotel terrace overlooking the sea',
  },
  {
    topic: 'film',
    slug: 'cinemas-audiences-return',
    title: 'Audiences return to cinemas, but mostly for blockbusters',
    tags: ['analysis'],
    ago: 160,
    lede: 'Box-office takings are back close to their pre-pandemic level, industry figures show, but independent films are finding it harder than ever to get screens for more than a few days.',
    detail: [
      'The ten biggest releases accounted for more than half of all ticket sales this year, compared with about a third a decade ago. Independent cinemas say they are surviving on a mix of new releases, classics and live broadcasts of theatre and opera.'
    ],
    image: 'A full cinema auditorium lit by the screen',
  },
  {
    topic: 'film',
    slug: 'festival-first-features-prize',
    title: 'Festival launches prize for first-time directors',
    tags: ['festivals'],
    ago: 0,
    lede: 'The festival announced a new competition for debut features on Monday, with a prize that includes funding for the winner’s next film.',
    detail: [
      'Eight films will be selected for the first edition from more than four hundred submissions. The jury will be chaired by a director whose own debut won the festival’s main prize twenty years ago.'
    ],
    image: 'The festival’s main screen in the old town square at night',
    status: 'draft'
  },
  {
    topic: 'books',
    slug: 'fiction-prize-shortlist-debuts',
    title: 'Debut novelists dominate this year’s fiction prize shortlist',
    ago: 420,
    lede: 'Three first novels are among the six books shortlisted for this year’s fiction prize, announced on Tuesday, alongside works by two previous winners.',
    detail: [
      'The shortlist includes a novel set in a São Paulo apartment block over a single weekend, a family saga set in a coastal hotel, and a short, fierce book about a nurse working night shifts in a northern city.'
    ],
    image: 'The six shortlisted novels arranged on a bookshop table'
  },
  {
    topic: 'books',
    slug: 'independent-bookshops-best-year',
    title: 'Independent bookshops have their best year in a decade',
    ago: 300,
    lede: 'The number of independent bookshops has risen for the sixth year in a row, and their sales are at the highest level in a decade, according to figures from the booksellers’ association.',
    detail: [
      'Booksellers credit author events, book clubs and readers who discover titles on social media and then want to buy them in person. Many shops have added cafés or event spaces to bring in more customers.'
    ],
    image: 'A bookseller arranges new titles in the window of a small shop',
    categories: ['books', 'companies']
  },
  {
    topic: 'books',
    slug: 'translated-fiction-sales-rise',
    title: 'Sales of translated fiction rise for the fifth year running',
    ago: 6,
    lede: 'Readers bought more novels translated into English this year than ever before, with books from Japan and Korea leading the growth, according to an analysis of sales data.',
    detail: [
      'Younger readers drive much of the increase: buyers under thirty-five account for almost half of all sales of translated fiction, compared with about a third for fiction as a whole.'
    ],
    image: 'A shelf of translated novels with staff recommendation cards'
  },
  {
    topic: 'books',
    slug: 'interview-novelist-coastal-hotel',
    title: '“I write the book I could not find”: a novelist on family, memory and a seaside hotel',
    tags: ['interview'],
    ago: 0,
    lede: 'Her fourth novel follows three generations of a family running a hotel on the coast. We met the author in the town that inspired it.',
    detail: [
      'The hotel in the book is invented, she says, but the town is not, and neither is the grandmother whose notebooks supplied many of its details. “She kept a list of every guest who complained about the breakfast for thirty years.”',
      'The novel moves between the 1950s and the present day, and took six years to write, much of it during the long winters of the pandemic.'
    ],
    image: 'The novelist on a windswept seafront promenade',
    status: 'scheduled'
  },
  {
    topic: 'football',
    slug: 'title-race-stays-open',
    title: 'Title race stays open as the leaders are held at home',
    ago: 220,
    lede: 'The leaders’ goalless draw at home on Sunday means the gap at the top is just two points, with the chasing side holding a game in hand.',
    detail: [
      'It was the leaders’ third draw in four matches, and their manager admitted afterwards that his side had looked tired. They have played more matches than any other team this season because of their European campaign.'
    ],
    image: 'Players of the league leaders walk off after a goalless draw'
  },
  {
    topic: 'football',
    slug: 'fans-protest-ticket-prices',
    title: 'Fans protest rising ticket prices before kick-off',
    tags: ['cost-of-living'],
    ago: 19,
    lede: 'Several thousand supporters marched to the stadium before Saturday’s match in protest at ticket price increases, the third such protest this season.',
    detail: [
      'The club has raised the price of its cheapest season ticket by eleven per cent, citing rising costs. Supporters’ groups say prices have risen faster than wages for a decade, pricing out younger fans and families.'
    ],
    image: 'Supporters hold a banner reading “Football without fans is nothing”',
  },
  {
    topic: 'football',
    slug: 'january-window-striker-search',
    title: 'Club begins search for a striker before the January window',
    ago: 15,
    lede: 'With two forwards injured until the spring, the club is expected to make signing a striker its priority when the transfer window opens in January.',
    detail: [
      'The sporting director is understood to have drawn up a shortlist of five players, including two currently playing abroad. A loan with an option to buy is the most likely outcome, given the club’s need to stay within spending rules.'
    ],
    image: 'An empty training pitch with cones laid out for a drill'
  },
  {
    topic: 'football',
    slug: 'late-header-top-four',
    title: 'Captain’s late header lifts his side into the top four',
    ago: 12,
    lede: 'A header in the 89th minute settled a tense match on Saturday and moved the home side into the Champions League places for the first time this season.',
    detail: [
      'The captain rose highest to meet a corner at the near post and glanced the ball into the far corner. It was his fourth goal of the season, and his first since returning from a hamstring injury in October.',
      'Before that, the visitors had the better of the first half and hit the woodwork twice, and only a double save from the home goalkeeper shortly before the break kept the score level.'
    ],
    image: 'The captain celebrates his late header in front of the home fans'
  },
  {
    topic: 'football',
    slug: 'manager-switches-to-back-three',
    title: 'How a half-time switch to a back three turned the game',
    tags: ['analysis'],
    ago: 11,
    lede: 'The manager’s tactical change at the break gave his wing-backs the space they needed and swung a match his side had been losing on every measure. We look at how it worked.',
    detail: [
      'In the first half, the visiting wingers had repeatedly pinned the home full-backs deep in their own half. With three centre-backs behind them, the wing-backs could push on without leaving gaps, and it was the visitors’ wingers who were forced to defend.'
    ],
    image: 'A tactics board showing a three-man defence',
  },
  {
    topic: 'tennis',
    slug: 'qualifier-wins-zurich-title',
    title: 'Qualifier stuns former world number one to win in Zürich',
    tags: ['switzerland'],
    ago: 395,
    lede: 'A qualifier ranked outside the top hundred at the start of the season won the biggest title of her career on Sunday, beating a former world number one in three sets.',
    detail: [
      'She saved two set points in the second-set tie-break before running away with the decider 6-2, and celebrated by lying flat on the court for several seconds before climbing into the stands to embrace her coach, who is also her father.',
      'Her opponent had not dropped a set all week but struggled with her serve in the cool indoor conditions and made eleven double faults.'
    ],
    image: 'The champion lifts the trophy on an indoor court in Zürich'
  },
  {
    topic: 'tennis',
    slug: 'tennis-equal-prize-money',
    title: 'Tournament equalises prize money for men and women',
    ago: 140,
    lede: 'One of the sport’s biggest tournaments will pay men and women the same prize money from next year, organisers said on Wednesday, following years of pressure from players.',
    detail: [
      'The change will cost the tournament several million dollars a year, which organisers said would be covered by new sponsorship and broadcasting agreements.'
    ],
    image: 'An empty show court being prepared before a tournament'
  },
  {
    topic: 'tennis',
    slug: 'late-finishes-schedule-change',
    title: 'Organisers move evening matches earlier after 2am finishes',
    ago: 0,
    lede: 'Tournament organisers said on Monday that evening sessions would start an hour earlier, after several matches in the women’s draw finished well after midnight and players complained of exhaustion.',
    detail: [
      'One second-round match ended at 2.14am, with only a few hundred spectators left in a stadium that holds fifteen thousand. Players’ representatives have also asked for a limit on the number of matches scheduled in each session.'
    ],
    image: 'A nearly empty stadium under floodlights after midnight',
    status: 'draft'
  }
]

const SOURCES: Record<string, string> = {
  'Example Wire': 'https://www.example-wire.com',
  'Northern Courier': 'https://northern-courier.example.org',
  'Global Desk': 'https://globaldesk.example.net'
}

interface Reader { name: string, email: string, url: string | null }

const READERS: Reader[] = [
  { name: 'Priya Shah', email: 'priya.shah@example.net', url: null },
  { name: 'Jonas Weber', email: 'jonas@example.de', url: 'https://jonasweber.example.de' },
  { name: 'Aisha Bello', email: 'aisha.bello@example.org', url: null },
  { name: 'Mark Hughes', email: 'mark.hughes@example.com', url: null },
  { name: 'Elena Rossi', email: 'elena@example.it', url: 'https://elenarossi.example.it' },
  { name: 'Kenji Sato', email: 'kenji.sato@example.jp', url: null },
  { name: 'Grace O’Neill', email: 'grace.oneill@example.ie', url: null },
  { name: 'Rafael Costa', email: 'rafael@example.com.br', url: null },
  { name: 'Nora Lind', email: 'nora.lind@example.se', url: null },
  { name: 'Ben Carter', email: 'ben.carter@example.co.uk', url: 'https://bencarter.example.co.uk' },
  { name: 'Fatima Haddad', email: 'fatima.h@example.org', url: null },
  { name: 'Owen Price', email: 'owen.price@example.co.uk', url: null },
  { name: 'Sofia Marchetti', email: 'sofia.marchetti@example.it', url: null },
  { name: 'David Klein', email: 'dklein@example.com', url: null },
  { name: 'Chloé Martin', email: 'chloe.martin@example.fr', url: 'https://chloemartin.example.fr' },
  { name: 'Tomasz Nowak', email: 'tomasz.nowak@example.pl', url: null },
  { name: 'Ruth Adeyemi', email: 'ruth.adeyemi@example.com', url: null },
  { name: 'Liam Walsh', email: 'liam.walsh@example.ie', url: null },
  { name: 'Marta Jiménez', email: 'marta.jimenez@example.es', url: null },
  { name: 'Peter Lindqvist', email: 'peter.l@example.se', url: null },
  { name: 'oldschoolreader', email: 'oldschoolreader@example.net', url: null },
  { name: 'J. Patel', email: 'jpatel@example.com', url: null }
]

// Thread starters that fit any story.
const GENERIC_ROOTS = [
  'Thank you for a clear and balanced summary. It is rare to read something on this subject that does not tell me what to think.',
  'I think this misses an important point: none of this is new. We have been here before, and the lessons were not learned then either.',
  'Could you add the date of the original announcement? It is hard to follow the timeline otherwise.',
  'Shared this with my parents, who have been asking me to explain it for weeks. This does it better than I could.'
]

// First replies to a thread starter.
const REPLIES = [
  'Fair point, though I read the article differently. The paragraph after the quote makes that clear, I think.',
  'Agreed. That was the detail that stood out to me too.',
  'Not sure that is right. Do you have a source?',
  'Thanks, that is a helpful way of putting it.',
  'Exactly what I was thinking as I read it.',
  'I would push back on that a little. It is more complicated than it looks from the outside.',
  'Same experience here, for what it is worth.',
  'There is a decent background explainer at https://www.example.org/explainers if anyone wants the longer version.',
  'I had not thought about it that way. Thanks.',
  'You are being a bit optimistic, I think, but I hope you are right.',
  'The article does mention that, near the end.',
  'This. Nobody in charge seems to have noticed.',
  'Completely agree, and I say that as someone who usually disagrees with this site.',
  'I am not sure the numbers support that, but it is a fair worry.'
]

// Replies further down a thread.
const DEEP_REPLIES = [
  'Fair enough. We will see who is right in six months.',
  'The figures are in the article itself, linked further up.',
  'I think we actually agree more than it seems.',
  'Ha, fair. I stand corrected.',
  'Respectfully, that is not what the figures say.',
  'Let us agree to disagree on this one.',
  'Good point, well made.',
  'That is exactly my worry too.',
  'Thanks for replying. A genuinely useful discussion, for once in a comment section.',
  'Maybe. But the people affected do not get to wait six months.',
  'Honestly, both of you are right, just about different timescales.'
]

// What a post's author says when joining a thread under their own story.
const AUTHOR_REPLIES = [
  'Thanks for reading, and for the question. We will follow this up when the next figures are published.',
  'Good point. I have added a line to the article to make that clearer.',
  'Thank you. We are planning a longer explainer on exactly this; watch this space.'
]

const SPAM = [
  { author: { name: 'Best Deals 4U', email: 'deals@cheap-watches.example.com', url: 'https://cheap-watches.example.com' }, content: 'Great article!!! Best replica watches, free shipping worldwide, visit https://cheap-watches.example.com today' },
  { author: { name: 'Crypto Signals', email: 'vip@moon-signals.example.org', url: 'https://moon-signals.example.org' }, content: 'Nice post. Join my crypto signals group for 300% returns every week https://moon-signals.example.org' },
  { author: { name: 'Work From Home', email: 'jobs@quick-cash.example.net', url: null }, content: 'I made $4,000 last month working from home just two hours a day. See how at https://quick-cash.example.net' }
]

// The thread under the article our example page shows, written out in full.
const BLINKEN_THREAD: Array<{ key: string, parent: string | null, who: Reader | 'author', minutes: number, content: string, status?: 'pending' }> = [
  { key: 'b1', parent: null, who: { name: 'Olena Kovalenko', email: 'olena.k@example.com.ua', url: null }, minutes: 95, content: 'Writing from Lviv. People here are calmer than the headlines suggest, but a lot of us have a bag packed by the door.\n\nTalks are good. Talks that end with troops going home would be better.' },
  { key: 'b2', parent: 'b1', who: READERS[3], minutes: 140, content: 'Stay safe. It is strange reading these diplomatic phrases, “frank” and “useful”, when you know what is at stake for people like you.' },
  { key: 'b3', parent: 'b2', who: { name: 'Olena Kovalenko', email: 'olena.k@example.com.ua', url: null }, minutes: 230, content: 'Thank you. “Useful” is the word that worries me most, to be honest. It usually means nothing happened.' },
  { key: 'b4', parent: 'b3', who: READERS[1], minutes: 310, content: 'In fairness, nothing happening is sometimes the best outcome diplomacy can offer in a week like this. Nobody walked out, and there will be another meeting.' },
  { key: 'b5', parent: null, who: READERS[9], minutes: 180, content: 'The written response is the interesting part. If Washington actually publishes it, we will learn far more than from any press conference.\n\nThere is a good primer on the 1997 NATO-Russia Founding Act here: https://www.example.org/nato-russia-founding-act' },
  { key: 'b6', parent: 'b5', who: READERS[0], minutes: 260, content: 'I doubt it will be published. These letters almost never are, and both sides benefit from a little ambiguity.' },
  { key: 'b7', parent: null, who: READERS[6], minutes: 420, content: 'Why is the EU not in the room? Europe’s security is being discussed by Washington and Moscow as if it were 1962.' },
  { key: 'b8', parent: 'b7', who: 'author', minutes: 600, content: 'Fair question. The US briefed EU foreign ministers before and after the meeting, and Mr Blinken met his German, French and British counterparts in Berlin the day before. But you are right that the EU itself has no seat at these particular talks.' },
  { key: 'b9', parent: 'b8', who: READERS[6], minutes: 655, content: 'Thanks for replying. That is more context than most of the coverage gave.' },
  { key: 'b10', parent: null, who: READERS[20], minutes: 1500, content: 'Sanctions never work and never have. Waste of everyone’s time.', status: 'pending' }
]

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
// Posts the demo gives comments to (besides the Blinken story), and how old a post must be
// for all of its thread to lie in the past.
const COMMENTED_POSTS = 30
const MIN_AGE_FOR_COMMENTS = 5 * DAY
const PENDING = 10

// FNV-1a, so each post's choices depend on its slug only, not on its place in the list.
function hash (s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

function escape (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function wordCount (html: string): number {
  return html.replace(/<[^>]+>/g, ' ').split(/\s+/).filter(Boolean).length
}

function unique<T> (list: T[]): T[] {
  return list.filter((x, i) => list.indexOf(x) === i)
}

function paragraph (text: string): string {
  return `<p>${escape(text)}</p>`
}

// A quotation as a block quote, or woven into a sentence of its own.
function quotation (q: Quote, block: boolean): string {
  if (block) return `<blockquote><p>${escape(q.text)}</p><p>— ${escape(q.who)}</p></blockquote>`
  const said = q.text.replace(/\.$/, ',')
  return paragraph(`“${said}” said ${q.who}.`)
}

// The article body: the story's own opening and detail, then paragraphs from its topic's
// pool (each at most once) under two or three sub-headings, with a quotation, and a list
// or a link where the story has one.
function articleBody (story: Story, topic: Topic, rand: () => number): string {
  const pool = shuffled(topic.pool, rand)
  const headings = shuffled(topic.headings, rand)
  const quote = topic.quotes[Math.floor(rand() * topic.quotes.length)]
  const next = (): string => paragraph(pool.shift() as string)
  const out = [paragraph(story.lede), paragraph(story.detail[0]), next(), `<h2>${escape(headings[0])}</h2>`]
  if (story.detail.length > 1) out.push(paragraph(story.detail[1]))
  out.push(next(), quotation(quote, rand() < 0.7), next(), `<h2>${escape(headings[1])}</h2>`)
  if (story.list) {
    const tag = story.list.ordered ? 'ol' : 'ul'
    out.push(paragraph(story.list.intro), `<${tag}>${story.list.items.map((item) => `<li>${escape(item)}</li>`).join('')}</${tag}>`)
  }
  out.push(next())
  // The link sentence is written as HTML in TOPICS.
  if (rand() < 0.4) out.push(`<p>${topic.link}</p>`)
  out.push(next())
  if (pool.length > 0 && wordCount(out.join(' ')) < 430) {
    out.push(`<h2>${escape(headings[2])}</h2>`)
    while (pool.length > 0 && wordCount(out.join(' ')) < 430) out.push(next())
  }
  return out.join('\n')
}

// A random duration below `ms`, in whole seconds, as a person's comment time would be.
function within (rand: () => number, ms: number): number {
  return Math.floor(rand() * ms / 1000) * 1000
}

function isoDay (ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

function buildPosts (now: Date): DemoPost[] {
  const today = Math.floor(now.getTime() / DAY) * DAY
  let drafts = 0
  let scheduled = 0
  return STORIES.map((story) => {
    const topic: Topic = TOPICS[story.topic]
    const rand = seededRandom(hash(story.slug))
    const content = articleBody(story, topic, rand)
    const status = story.status ?? 'published'
    let at: number
    if (status === 'scheduled') at = today + (3 + 2 * scheduled++) * DAY + 7 * HOUR
    else if (status === 'draft') at = today - ++drafts * DAY + 10 * HOUR + 30 * MINUTE
    else at = today - story.ago * DAY + (6 + Math.floor(rand() * 16)) * HOUR + Math.floor(rand() * 60) * MINUTE
    const sourceUrl = story.source === undefined
      ? null
      : `${SOURCES[story.source]}/${isoDay(at).replace(/-/g, '/')}/${story.sourcePath ?? story.slug}`
    const author = story.author ?? (topic.authors.length > 1 && rand() < 0.35 ? topic.authors[1] : topic.authors[0])
    return {
      slug: story.slug,
      title: story.title,
      excerpt: rand() < 0.6 ? story.lede : null,
      content_html: content,
      author,
      categories: unique(story.categories ?? topic.categories),
      tags: unique([...topic.tags, ...(story.tags ?? [])]),
      status,
      published_at: new Date(at).toISOString(),
      featured_image: story.image === null ? null : { url: `https://images.example.com/posts/${story.slug}.jpg`, alt: story.image },
      source: story.source === undefined || sourceUrl === null ? null : { url: sourceUrl, name: story.source },
      canonical_url: sourceUrl,
      comment_status: story.closed ? 'closed' : 'open'
    }
  })
}

function buildComments (posts: DemoPost[], now: Date): DemoComment[] {
  const authors = new Map(AUTHORS.map((a) => [a.slug, a]))
  const topicOf = new Map(STORIES.map((s) => [s.slug, TOPICS[s.topic] as Topic]))
  const comments: DemoComment[] = []
  const add = (post: DemoPost, key: string, parent: DemoComment | null, who: Reader, at: number, content: string): DemoComment => {
    const c: DemoComment = { key, post: post.slug, parent: parent?.key ?? null, author_name: who.name, author_email: who.email, author_url: who.url, content, status: 'approved', created_at: new Date(at).toISOString() }
    comments.push(c)
    return c
  }
  const staff = (post: DemoPost): Reader => {
    const a = authors.get(post.author) as DemoAuthor
    return { name: a.name, email: a.email, url: a.website }
  }

  const blinken = posts.find((p) => p.slug === 'blinken-warns-russia') as DemoPost
  const written = new Map<string, DemoComment>()
  for (const b of BLINKEN_THREAD) {
    const parent = b.parent === null ? null : written.get(b.parent) as DemoComment
    const c = add(blinken, b.key, parent, b.who === 'author' ? staff(blinken) : b.who, Date.parse(blinken.published_at) + b.minutes * MINUTE, b.content)
    if (b.status) c.status = b.status
    written.set(b.key, c)
  }

  const eligible = posts.filter((p) => p.status === 'published' && p.comment_status === 'open' && p !== blinken &&
    now.getTime() - Date.parse(p.published_at) >= MIN_AGE_FOR_COMMENTS)
  const chosen = shuffled(eligible, seededRandom(hash('comments'))).slice(0, COMMENTED_POSTS)
  let n = 0
  for (const [k, post] of chosen.entries()) {
    const rand = seededRandom(hash(`comments:${post.slug}`))
    const topic = topicOf.get(post.slug) as Topic
    const roots = [...shuffled(topic.comments, rand), ...shuffled(GENERIC_ROOTS, rand)]
    const replies = shuffled(REPLIES, rand)
    const deep = shuffled(DEEP_REPLIES, rand)
    const readers = shuffled(READERS, rand)
    let r = 0
    const reader = (not: string): Reader => {
      const who = readers[r++ % readers.length]
      return who.name === not ? readers[r++ % readers.length] : who
    }
    const published = Date.parse(post.published_at)
    const threads = 2 + Math.floor(rand() * 3)
    for (let t = 0; t < threads; t++) {
      const root = add(post, `c${++n}`, null, reader(''), published + 20 * MINUTE + within(rand, 30 * HOUR), roots[t])
      const answers = Math.floor(rand() * 3)
      for (let a = 0; a < answers && replies.length > 0; a++) {
        const byAuthor = rand() < 0.12
        const first = add(post, `c${++n}`, root, byAuthor ? staff(post) : reader(root.author_name), Date.parse(root.created_at) + 10 * MINUTE + within(rand, 8 * HOUR),
          byAuthor ? AUTHOR_REPLIES[Math.floor(rand() * AUTHOR_REPLIES.length)] : replies.shift() as string)
        // A conversation goes back and forth, each step less likely than the one before.
        let parent = first
        let grandparent = root
        for (let depth = 2; depth < 4 && deep.length > 0 && rand() < (depth === 2 ? 0.55 : 0.35); depth++) {
          const who = rand() < 0.5 && grandparent.author_name !== parent.author_name
            ? { name: grandparent.author_name, email: grandparent.author_email, url: grandparent.author_url }
            : reader(parent.author_name)
          const c = add(post, `c${++n}`, parent, who, Date.parse(parent.created_at) + 10 * MINUTE + within(rand, 8 * HOUR), deep.shift() as string)
          grandparent = parent
          parent = c
        }
      }
    }
    if (k % 8 === 3 && k / 8 < SPAM.length) {
      const spam = SPAM[Math.floor(k / 8)]
      const c = add(post, `c${++n}`, null, spam.author, published + within(rand, 48 * HOUR), spam.content)
      c.status = 'spam'
    }
  }

  // The newest leaf comments are still waiting in the moderation queue; only leaves, so no
  // approved reply ever hangs under a hidden comment.
  const parents = new Set(comments.map((c) => c.parent))
  const queued = comments.filter((c) => c.status === 'pending').length
  comments
    .filter((c) => c.status === 'approved' && !parents.has(c.key))
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || a.key.localeCompare(b.key))
    .slice(0, Math.max(0, PENDING - queued))
    .forEach((c) => { c.status = 'pending' })
  return comments.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.key.localeCompare(b.key))
}

/**
 * The demo newsroom, dated relative to `now`: posts over the two years before it, two
 * scheduled a few days after it, comments in the past. The same `now` gives the same content.
 */
export function demoContent (now: Date = new Date('2026-11-01T00:00:00Z')): DemoContent {
  const posts = buildPosts(now)
  return {
    site: {
      title: 'My Blog',
      description: 'Independent news and analysis from a small newsroom: politics, the world, technology, science, business, culture and sport.',
      language: 'en',
      timezone: 'Europe/London'
    },
    authors: AUTHORS.map((a) => ({ ...a })),
    categories: CATEGORIES.map((c) => ({ ...c })),
    tags: TAGS.map((t) => ({ ...t })),
    posts,
    comments: buildComments(posts, now)
  }
}
