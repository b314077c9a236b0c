import { Citizen, signedInCitizen } from '../identity/citizen-fixtures';
import { makeUnit } from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { applicationSteps, as, publishedService } from './applications-helpers';

const LIST = `query($first: Int!) { myApplications(first: $first) { edges { node {
  id status formData attachments { material } timeline { at kind title detail decision } } } } }`;

interface Node {
  id: string;
  timeline: Array<{
    at: string;
    kind: string;
    title: string;
    detail: string | null;
    decision: string | null;
  }>;
}

/**
 * Nested GraphQL fields are batched per request (issue 11 §3): a page of applications with their
 * timelines costs the same number of SQL statements for 3 parents as for 12. Every statement the
 * app sends is counted through TypeORM's logger, which sees each one.
 */
describe('GraphQL nested fields are batched (no N+1)', () => {
  let t: TestApp;
  let alice: Citizen;
  let bob: Citizen;
  const steps = applicationSteps(() => t);
  const ids: string[] = [];

  /** Runs the query and returns its answer and the statements sent while it ran. */
  const counted = async (first: number, who: Citizen) => {
    const logger = t.db.dataSource.logger;
    const seen: string[] = [];
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (query, parameters, runner) => {
      seen.push(query);
      return original(query, parameters, runner);
    };
    try {
      const res = await t.http.post('/graphql').set(as(who)).send({ query: LIST, variables: { first } });
      expect(res.body.errors).toBeUndefined();
      return { nodes: (res.body.data.myApplications.edges as { node: Node }[]).map((e) => e.node), seen };
    } finally {
      logger.logQuery = original;
    }
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const serviceId = await publishedService(t, await makeUnit(t, '批量区'));
    alice = await signedInCitizen(t);
    bob = await signedInCitizen(t);
    // 12 applications: half submitted (a case with public events), half drafts
    for (let i = 0; i < 6; i++) {
      ids.push((await steps.submitted(alice, serviceId)).id);
      ids.push((await steps.draft(alice, serviceId)).id);
    }
    await steps.submitted(bob, serviceId);
  });
  afterAll(() => t.close());

  it('reads timelines of 12 applications in as many statements as of 3', async () => {
    const small = await counted(3, alice);
    const large = await counted(12, alice);
    expect(small.nodes).toHaveLength(3);
    expect(large.nodes.map((n) => n.id).sort()).toEqual([...ids].sort());
    expect({ statements: large.seen.length, sql: large.seen }).toEqual({
      statements: small.seen.length,
      sql: expect.any(Array),
    });
    // timeline reads: one statement each for the applications, their cases and the cases' events
    const timelineReads = large.seen.filter((q) => /FROM "case_event"|FROM "case_file"/.test(q));
    expect(timelineReads).toHaveLength(2);
  });

  it("batched timelines equal REST's, one by one, and hold only the caller's applications", async () => {
    const { nodes } = await counted(12, alice);
    for (const node of nodes) {
      const rest = await t.http.get(`/v1/applications/${node.id}/timeline`).set(as(alice)).expect(200);
      expect(node.timeline).toEqual(
        (rest.body as Node['timeline']).map((e) => ({
          at: e.at,
          kind: e.kind,
          title: e.title,
          detail: e.detail,
          decision: e.decision,
        })),
      );
    }
    const submitted = nodes.filter((n) => n.timeline.some((e) => e.kind === 'submitted'));
    expect(submitted).toHaveLength(6);
    const bobs = await counted(12, bob);
    expect(bobs.nodes).toHaveLength(1);
    expect(bobs.nodes[0].timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['created', 'submitted']),
    );
  });
});
