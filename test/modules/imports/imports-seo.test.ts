import t from 'tap'
import { expandTemplate, seoFromMeta } from '../../../src/modules/imports/imports-seo.js'
import { chooseMenus } from '../../../src/modules/imports/imports-navigation.js'

const ctx = { title: 'Storm warning', excerpt: 'Stay inside.', siteName: 'The Post', siteDescription: 'Coastal news', category: 'Coast' }

t.test('SEO templates: defaults dropped, known variables replaced, unknown ones removed and named', async (t) => {
  const unknown = new Set<string>()
  t.equal(expandTemplate('%%title%% %%sep%% %%sitename%%', ctx, unknown), null, 'Yoast default')
  t.equal(expandTemplate('%title% %sep% %sitename%', ctx, unknown), null, 'Rank Math default')
  t.equal(expandTemplate('%%title%% | %%sitename%% %%page%%', ctx, unknown), null, 'variables and separators only')
  t.equal(expandTemplate('%%title%% %%sep%% Breaking %%sep%% %%sitename%%', ctx, unknown), 'Storm warning - Breaking - The Post')
  t.equal(expandTemplate('%%primary_category%%: %%excerpt%%', ctx, unknown), 'Coast: Stay inside.')
  t.equal(expandTemplate('%sitename% – %sitedesc% news', ctx, unknown), 'The Post – Coastal news news')
  t.equal(expandTemplate('Read %%title%% %%cf_subtitle%%', ctx, unknown), 'Read Storm warning')
  t.equal(expandTemplate('Special %customfield(tide)% offer', ctx, unknown), 'Special offer')
  t.same([...unknown], ['%%cf_subtitle%%', '%customfield%'])
  t.equal(expandTemplate('50% off, 20% more', ctx, new Set()), '50% off, 20% more', 'percent signs that are no variables stay')
})

t.test('SEO meta: Yoast before Rank Math, robots, URLs and limits', async (t) => {
  const warnings: string[] = []
  const seo = seoFromMeta([
    { key: '_yoast_wpseo_title', value: 'Own title' },
    { key: 'rank_math_title', value: 'Other title' },
    { key: 'rank_math_robots', value: 'a:1:{i:0;s:7:"noindex";}' },
    { key: '_yoast_wpseo_opengraph-title', value: 'x'.repeat(250) },
    { key: '_yoast_wpseo_opengraph-image', value: '/relative.jpg' },
    { key: '_yoast_wpseo_canonical', value: 'https://example.org/a' },
    { key: '_yoast_wpseo_metadesc', value: '   ' }
  ], ctx, (m) => warnings.push(m))
  t.same(seo, { meta_title: 'Own title', og_title: 'x'.repeat(200), canonical_url: 'https://example.org/a', noindex: true })
  t.same(warnings, ['og_title has 250 characters; cut to 200, the most the API takes', 'og_image "/relative.jpg" is not an http(s) URL: left out'])
  t.same(seoFromMeta([{ key: 'rank_math_robots', value: 'a:1:{i:0;s:5:"index";}' }], ctx, () => {}), { noindex: false })
  t.same(seoFromMeta([{ key: '_yoast_wpseo_meta-robots-noindex', value: '0' }], ctx, () => {}), { noindex: false })
  t.same(seoFromMeta([{ key: '_edit_lock', value: '1' }], ctx, () => {}), {}, 'nothing when the item has no SEO meta')
})

t.test('which menus become primary and secondary', async (t) => {
  t.same(chooseMenus([{ slug: 'links', name: 'Links', items: 9 }, { slug: 'header-menu', name: 'Header', items: 3 }]), { primary: 'header-menu', secondary: 'links', left: [] }, 'by name first')
  t.same(chooseMenus([{ slug: 'a', name: 'A', items: 2 }, { slug: 'b', name: 'B', items: 5 }, { slug: 'c', name: 'C', items: 5 }]), { primary: 'b', secondary: 'c', left: ['a'] }, 'then the largest, ties in file order')
  t.same(chooseMenus([{ slug: 'footer', name: 'Footer', items: 9 }]), { primary: undefined, secondary: 'footer', left: [] }, 'a lone footer menu stays secondary')
  t.same(chooseMenus([{ slug: 'main', name: 'Main', items: 1 }, { slug: 'subjects', name: 'Subjects', items: 4 }]), { primary: 'main', secondary: 'subjects', left: [] }, 'names match whole words (subjects is no "sub")')
})
