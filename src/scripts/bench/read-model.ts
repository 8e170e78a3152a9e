import { openDatabase } from '../../db/client.js'
import { createReadModelStatus, isComplete, type ReadModelBacklog } from '../../db/read-model-status.js'
import { postDocumentFingerprint } from '../../modules/posts/posts-documents.js'
import { COMMENT_DOCUMENT_VERSION } from '../../modules/comments/comments-documents.js'

/**
 * Waits until the server has built its whole read model (nothing queued, every document of the
 * current fingerprint): measuring while the background fill still runs would measure the fill
 * and the row path. Reads the counts from its own connection to the file every 250 ms; returns
 * how long the fill took from the moment the server was ready, and the backlog seen first.
 */
export async function waitForReadModel (dbPath: string, siteUrl: string, log: (line: string) => void, maxMs = 60 * 60_000): Promise<{ ms: number, first: ReadModelBacklog }> {
  const db = openDatabase(dbPath)
  try {
    const status = createReadModelStatus(db)
    const fingerprints = { posts: postDocumentFingerprint(siteUrl), comments: COMMENT_DOCUMENT_VERSION }
    const t0 = performance.now()
    const first = status.backlog(fingerprints)
    let lastLog = t0
    for (let b = first; !isComplete(b); b = status.backlog(fingerprints)) {
      const now = performance.now()
      if (now - t0 > maxMs) throw new Error(`the read model was not complete after ${maxMs} ms: ${JSON.stringify(b)}`)
      if (now - lastLog > 10_000) {
        log(`\t(read model still filling after ${((now - t0) / 1000).toFixed(0)} s: ${JSON.stringify(b)})`)
        lastLog = now
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    return { ms: performance.now() - t0, first }
  } finally {
    db.$client.close()
  }
}
