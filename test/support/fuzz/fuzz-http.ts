import type { Test } from 'supertest';
import { ALL_PERMISSIONS } from '../../../src/api/auth/permission';
import type { TestApp } from '../test-app';
import { scopedToken } from '../tokens';
import type { Hints } from './domain-values';
import type { FuzzRequest } from './openapi-cases';

/** Sends one generated request, with a bearer token when given. */
export function sendFuzzRequest(t: TestApp, r: FuzzRequest, token: string | null): Test {
  const method = r.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  let req = t.http[method](r.url);
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  for (const [k, v] of Object.entries(r.headers)) req = req.set(k, v);
  return r.body === undefined ? req : req.send(r.body);
}

/**
 * A region and an organisation of the suite's own (`code` names the region, `label` the names),
 * offered to the generators by field name so "valid" samples reach the services; with
 * `childOrganisation`, a second organisation under the first, so a directory read with limit=1
 * has a next page.
 */
export async function directoryHints(
  t: TestApp,
  code: string,
  label: string,
  childOrganisation = false,
): Promise<Hints> {
  const admin = `Bearer ${await scopedToken(t, 'staff', ALL_PERMISSIONS)}`;
  await t.http
    .post('/v1/regions')
    .set('Authorization', admin)
    .send({ code, name: `${label}区 ${code}`, level: 'province' })
    .expect(201);
  const org = await t.http
    .post('/v1/organisations')
    .set('Authorization', admin)
    .send({ kind: 'agency', name: `${label}局 ${code}`, regionCode: code })
    .expect(201);
  const orgId = org.body.id as string;
  if (childOrganisation)
    await t.http
      .post('/v1/organisations')
      .set('Authorization', admin)
      .send({ kind: 'agency', name: `${label}二局 ${code}`, regionCode: code, parentId: orgId })
      .expect(201);
  return {
    regionCode: [code],
    region: [code],
    parentCode: [code],
    organisationId: [orgId],
    parentId: [orgId],
    within: [orgId],
    issuerOrganisationId: [orgId],
  };
}
