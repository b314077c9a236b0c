import { buildSchema, GraphQLResolveInfo } from 'graphql';
import { pointersUnderArguments } from './argument-pointers';

const schema = buildSchema(`
  input In { title: String }
  type Query { ok: Boolean }
  type Mutation {
    create(id: ID, input: In): Boolean
    submit(id: ID, unmask: [String]): Boolean
  }
`);
const info = (fieldName: string) =>
  ({ parentType: schema.getMutationType(), fieldName }) as unknown as GraphQLResolveInfo;
const e = (pointer: string) => ({ pointer, code: 'c', message: 'm' });

describe('pointersUnderArguments', () => {
  it("moves a service's body pointers under /input and keeps those naming an argument", () => {
    expect(
      pointersUnderArguments(
        [e('/title'), e('/draft/form/x'), e('/id'), e('/input/title'), e('')],
        info('create'),
      ).map((x) => x.pointer),
    ).toEqual(['/input/title', '/input/draft/form/x', '/id', '/input/title', '/input']);
  });

  it('leaves fields without an input argument, and unknown fields, as they are', () => {
    const errors = [e('/formData/phone'), e('/unmask')];
    expect(pointersUnderArguments(errors, info('submit'))).toEqual(errors);
    expect(pointersUnderArguments(errors, undefined)).toEqual(errors);
  });
});
