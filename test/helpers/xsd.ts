import { readFileSync } from 'node:fs'
import { validateXML } from 'xmllint-wasm'

// Validation against the published sitemap schemas (test/fixtures/xsd) with libxml2's
// xmllint compiled to WebAssembly: the check a search engine's sitemap tester makes.

const XSD = new URL('../fixtures/xsd/', import.meta.url)
const read = (name: string) => ({ fileName: name, contents: readFileSync(new URL(name, XSD), 'utf8') })

/** Which schema a kind of sitemap is checked against. */
const SCHEMAS = {
  urlset: { schema: ['sitemap.xsd'], preload: [] },
  index: { schema: ['siteindex.xsd'], preload: [] },
  // A urlset carrying news:news: the core schema and Google's extension, imported together.
  news: { schema: ['news-sitemap.xsd'], preload: ['sitemap.xsd', 'sitemap-news.xsd'] }
} as const

/** The schema errors of each document (none: valid), as xmllint reports them. */
export async function xsdErrors (kind: keyof typeof SCHEMAS, documents: Record<string, string>): Promise<string[]> {
  const { schema, preload } = SCHEMAS[kind]
  const result = await validateXML({
    xml: Object.entries(documents).map(([fileName, contents]) => ({ fileName, contents })),
    schema: schema.map(read),
    preload: preload.map(read)
  })
  return result.errors.map((e) => e.rawMessage)
}
