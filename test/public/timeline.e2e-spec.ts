import { Citizen, signedInCitizen } from '../identity/citizen-fixtures';
import { makeUnit } from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { applicationSteps, as, GOOD_FORM, publishedService } from './applications-helpers';

interface Item {
  kind: string;
  id: string;
  title: string;
  state: string;
  nextDeadline: string | null;
  updatedAt: string;
}

/** My government (C11): one list of my items, latest change first, paged by cursor. */
describe('my government timeline', () => {
  let t: TestApp;
  let serviceId: string;
  let alice: Citizen;
  let bob: Citizen;
  const steps = applicationSteps(() => t);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const unit = await makeUnit(t, '时间线区');
    serviceId = await publishedService(t, unit);
    alice = await signedInCitizen(t);
    bob = await signedInCitizen(t);
  });
  afterAll(() => t.close());

  it('lists my applications newest change first, in pages, and nobody else’s', async () => {
    await t.http.get('/v1/me/timeline').expect(401);
    const first = await steps.draft(alice, serviceId);
    const second = await steps.submitted(alice, serviceId);
    const third = await steps.draft(alice, serviceId);
    // touching the first draft moves it to the top
    await t.http
      .put(`/v1/applications/${first.id}`)
      .set('If-Match', '*')
      .set(as(alice))
      .send({ formData: GOOD_FORM })
      .expect(200);

    const page1 = await t.http.get('/v1/me/timeline?limit=2').set(as(alice)).expect(200);
    expect((page1.body.items as Item[]).map((i) => i.id)).toEqual([first.id, third.id]);
    expect(page1.body.items[0]).toEqual({
      kind: 'application',
      id: first.id,
      title: '个体工商户登记',
      state: 'draft',
      nextDeadline: null,
      updatedAt: expect.any(String),
    });
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    expect(page1.headers.link).toContain('rel="next"');
    const page2 = await t.http
      .get(`/v1/me/timeline?limit=2&cursor=${page1.body.nextCursor}`)
      .set(as(alice))
      .set('Accept-Language', 'en')
      .expect(200);
    expect(page2.body.items).toEqual([
      expect.objectContaining({
        id: second.id,
        state: 'submitted',
        title: 'Sole proprietorship registration',
        nextDeadline: second.promisedDueAt,
      }),
    ]);
    expect(page2.body.nextCursor).toBeNull();

    expect((await t.http.get('/v1/me/timeline').set(as(bob)).expect(200)).body.items).toEqual([]);
    await t.http.get('/v1/me/timeline?cursor=bm9wZQ').set(as(alice)).expect(400);
    const farAway = Buffer.from(JSON.stringify(['+275760-09-13T00:00:00.000Z', first.id])).toString(
      'base64url',
    );
    await t.http.get(`/v1/me/timeline?cursor=${farAway}`).set(as(alice)).expect(400);
  });

  it('serves the same list as the myTimeline connection', async () => {
    const query = `query($after: String) { myTimeline(first: 1, after: $after) { totalCount edges { cursor node { kind id state } } pageInfo { hasNextPage endCursor } } }`;
    const gql = (after: string | null) =>
      t.http.post('/graphql').set(as(alice)).send({ query, variables: { after } });
    const one = (await gql(null).expect(200)).body.data.myTimeline;
    expect(one.edges).toHaveLength(1);
    expect(one.pageInfo.hasNextPage).toBe(true);
    const two = (await gql(one.pageInfo.endCursor).expect(200)).body.data.myTimeline;
    expect(two.edges[0].node.id).not.toBe(one.edges[0].node.id);
    const rest = await t.http.get('/v1/me/timeline?limit=100').set(as(alice)).expect(200);
    expect(rest.body.items.slice(0, 2).map((i: Item) => i.id)).toEqual([
      one.edges[0].node.id,
      two.edges[0].node.id,
    ]);
    // totalCount: all of alice's items, on every page (REST's full list has them all)
    expect(rest.body.nextCursor).toBeNull();
    expect(one.totalCount).toBe(rest.body.items.length);
    expect(two.totalCount).toBe(rest.body.items.length);
  });
});
