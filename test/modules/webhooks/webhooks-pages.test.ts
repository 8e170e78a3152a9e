import t from 'tap'
import { adminAuth, buildTestApp, TEST_SITE_URL } from '../../helper.js'

// A scheduled page's go-live sends page.published at its time, once, as a scheduled post's
// does (issue 17): the write records the event, the webhook worker's promoteDue sends it.

t.test('a scheduled page fires page.published at its time, once, following reschedules', async (t) => {
  const app = await buildTestApp(t)
  // Stopped: the test calls promoteDue itself, at chosen times.
  await app.core.workers.webhooks.stop()
  const hook = app.core.repos.webhooks.sync.create({ url: 'https://hooks.example.com/x', events: ['page.published', 'page.updated'], secret: 'a-long-random-shared-secret', description: '', active: true }, Date.now())
  const deliveries = () => app.core.repos.webhooks.sync.deliveries(hook.id, undefined, 50, 0).reverse()
  const events = () => app.db.$client.prepare('SELECT page_id, event, due_at FROM scheduled_page_events ORDER BY id').all() as Array<{ page_id: number, event: string, due_at: number }>
  const write = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const res = await app.inject({ method, url, headers: adminAuth, payload })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.statusCode === 204 ? undefined : res.json().data
  }

  const at = Date.now() + 3_600_000
  const page = await write('POST', '/v1/pages', { title: 'Launch', status: 'scheduled', published_at: new Date(at + 60_000).toISOString() })
  await write('PATCH', `/v1/pages/${page.id}`, { published_at: new Date(at).toISOString(), title: 'Launch day' })
  t.same(events().map((e) => [e.page_id, e.event, e.due_at]), [[page.id, 'page.published', at]], 'one event, replaced by the reschedule')
  t.equal(app.core.repos.webhooks.sync.nextDue(), at, 'the worker wakes for it')
  const cancelled = await write('POST', '/v1/pages', { title: 'Called off', status: 'scheduled', published_at: new Date(at).toISOString() })
  await write('PATCH', `/v1/pages/${cancelled.id}`, { status: 'draft' })
  const deleted = await write('POST', '/v1/pages', { title: 'Deleted', status: 'scheduled', published_at: new Date(at).toISOString() })
  await write('DELETE', `/v1/pages/${deleted.id}`)
  const parent = await write('POST', '/v1/pages', { title: 'Hidden parent' })
  await write('POST', '/v1/pages', { title: 'Child of a draft', parent_id: parent.id, status: 'scheduled', published_at: new Date(at).toISOString() })
  t.equal(events().length, 2, 'unscheduling and deleting drop their events')
  t.same(deliveries(), [], 'nothing is sent when a page is scheduled')

  t.equal(app.core.listeners.webhookEvents.promoteDue(at - 1), 0, 'nothing before its time')
  t.equal(app.core.listeners.webhookEvents.promoteDue(at + 10), 1, 'one delivery at go-live: the child of a draft is not public')
  const [sent] = deliveries()
  t.equal(sent.event, 'page.published')
  const payload = JSON.parse(sent.payload)
  t.match(payload.data.page, { id: page.id, title: 'Launch day', status: 'published', url: `${TEST_SITE_URL}/launch` })
  t.equal(app.core.listeners.webhookEvents.promoteDue(at + 20), 0, 'once')
  t.same(events(), [], 'every due event is taken')
})
