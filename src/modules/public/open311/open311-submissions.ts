import { DomainError } from '../../../api/errors/domain-error';
import type { FileComplaintInput, PostUpdateInput } from '../complaints/complaints-public';
import type { Params } from './open311-params';

/**
 * The two form bodies a client posts (a service request, an update) read into the complaints
 * module's inputs, and the module's refusals renamed back to the arguments the client sent.
 */

/** The statuses of mySociety's servicerequestupdates extension; clients send them upper-case. */
export const EXTENDED_STATUSES = [
  'open',
  'closed',
  'fixed',
  'in_progress',
  'planned',
  'action_scheduled',
  'investigating',
  'duplicate',
  'not_councils_responsibility',
  'no_further_action',
  'internal_referral',
  'reopen',
  'for_triage',
] as const;

function mediaUrls(p: Params): string[] {
  const urls = p.all('media_url');
  for (const u of urls) {
    const ok = URL.canParse(u) && /^https?:$/.test(new URL(u).protocol);
    if (!ok) {
      p.fail('media_url', 'isUrl', 'must be an http or https URL');
      break;
    }
  }
  return urls;
}

/** POST requests: one full location (lat & long, or address_string, or address_id), the rest optional. */
export function fileInput(p: Params): FileComplaintInput {
  const categoryCode = p.required('service_code', 100);
  const lat = p.degrees('lat', 90);
  const long = p.degrees('long', 180);
  const addressString = p.text('address_string', 500);
  const addressId = p.text('address_id', 100);
  const latGiven = p.has('lat');
  const longGiven = p.has('long');
  if (latGiven !== longGiven)
    p.fail(latGiven ? 'long' : 'lat', 'isDefined', 'lat and long must be sent together');
  else if (!latGiven && addressString === undefined && addressId === undefined)
    p.fail('lat', 'isDefined', 'a location is required: lat and long, address_string or address_id');
  const contact = {
    firstName: p.text('first_name', 100),
    lastName: p.text('last_name', 100),
    email: p.text('email', 254),
    phone: p.text('phone', 40),
  };
  const input: FileComplaintInput = {
    categoryCode: categoryCode ?? '',
    description: p.text('description', 4000) ?? '',
    ...(lat !== undefined && long !== undefined ? { lat, long } : {}),
    ...defined({ addressString, addressId }),
    attributes: p.attributes(),
    mediaUrls: mediaUrls(p),
    ...defined(contact),
    ...defined({ deviceId: p.text('device_id', 200), accountId: p.text('account_id', 200) }),
    anonymous: !Object.values(contact).some((v) => v !== undefined),
    channel: 'open311',
  };
  p.done();
  return input;
}

/** POST servicerequestupdates: the request, the text, and optionally a status, a time, a photo. */
export function updateInput(p: Params): { requestId: string; input: PostUpdateInput } {
  const requestId = p.required('service_request_id', 100) ?? '';
  const description = p.required('description', 4000) ?? '';
  const status = p.oneOf('status', EXTENDED_STATUSES);
  const media = mediaUrls(p);
  if (media.length > 1) p.fail('media_url', 'arrayMaxSize', 'an update takes one media_url');
  const input: PostUpdateInput = {
    description,
    ...defined({
      status,
      mediaUrl: media[0],
      updatedAt: p.date('updated_datetime'),
      firstName: p.text('first_name', 100),
      lastName: p.text('last_name', 100),
      email: p.text('email', 254),
      phone: p.text('phone', 40),
    }),
  };
  p.done();
  return { requestId, input };
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Input member → Open311 argument, for pointers in the complaints module's refusals. */
const ARGUMENTS: Record<string, string> = {
  categoryCode: 'service_code',
  description: 'description',
  lat: 'lat',
  long: 'long',
  addressString: 'address_string',
  addressId: 'address_id',
  mediaUrls: 'media_url',
  mediaUrl: 'media_url',
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone',
  deviceId: 'device_id',
  accountId: 'account_id',
  status: 'status',
  updatedAt: 'updated_datetime',
};

/** `/attributes/WIDTH` → `/attribute[WIDTH]`, `/addressString` → `/address_string`. */
export function open311Pointer(pointer: string): string {
  const [, head = '', next] = pointer.split('/');
  if (head === 'attributes' && next !== undefined) return `/attribute[${next}]`;
  const name = ARGUMENTS[head];
  return name ? `/${name}` : pointer;
}

/** Runs a complaints call, renaming the field pointers of a refusal to the client's arguments. */
export async function renamedForOpen311<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof DomainError) || !err.errors.length) throw err;
    throw new DomainError(
      err.code,
      err.params,
      err.errors.map((e) => ({ ...e, pointer: open311Pointer(e.pointer) })),
      err.headers,
      err.extensions,
    );
  }
}
