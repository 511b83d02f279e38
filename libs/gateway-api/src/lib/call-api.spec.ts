import { isCarrierName } from './carriers';
import {
  callContextProblem,
  GATEWAY_LIMITS,
  IDEMPOTENCY_KEY,
  simulationSizeProblem,
  type CallView,
  type CallViewBody,
  type GatewayHealth,
  type GatewayHealthBody,
  type GatewayLimits,
  type GatewayLimitsBody,
  type PlacedCall,
  type PlacedCallBody,
} from './call-api';

/** Compile-time checks: `npm run typecheck` fails when a side of the contract drifts. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
/** The camelCase shape has exactly the wire body's fields under camelCase names. */
type SameFields<Camelcase, Snakecase, NotRead extends keyof Snakecase = never> = Equal<keyof Camelcase, Camel<Exclude<keyof Snakecase, NotRead> & string>>;

export type ContractChecks = [
  // The client does not read `carrier`: it chose it.
  Expect<SameFields<CallView, CallViewBody, 'carrier'>>,
  Expect<SameFields<PlacedCall, PlacedCallBody>>,
  Expect<SameFields<GatewayHealth, GatewayHealthBody>>,
  Expect<SameFields<GatewayLimits, GatewayLimitsBody>>,
  // What the gateway reports of a call's state and outcome is what the client reads, unchanged.
  Expect<Equal<CallView['state'], CallViewBody['state']>>,
  Expect<Equal<CallView['outcome'], CallViewBody['outcome']>>,
];

describe('POST /call: the context (the CSV row)', () => {
  it('is an object of strings', () => {
    expect(callContextProblem({ order_id: 'ORD001', customer_name: 'Asha' })).toBeUndefined();
    expect(callContextProblem(['ORD001'])).toBe('context must be an object whose values are all strings (the CSV row)');
    expect(callContextProblem({ order_id: 7 })).toBe('context.order_id must be a string (the CSV row)');
  });

  it('has at most 100 columns, with names of at most 100 characters', () => {
    const columns = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i}`, 'x']));
    expect(callContextProblem(columns(GATEWAY_LIMITS.max_context_columns))).toBeUndefined();
    expect(callContextProblem(columns(101))).toBe('context has 101 columns; at most 100 are allowed');
    expect(callContextProblem({ ['k'.repeat(101)]: 'x' })).toBe('context has a column name of 101 characters; at most 100 are allowed');
  });

  it('has cells of at most 2000 characters, naming the column that is longer', () => {
    expect(callContextProblem({ address: 'a'.repeat(2000) })).toBeUndefined();
    expect(callContextProblem({ address: 'a'.repeat(2001) })).toBe('context.address is 2001 characters long; at most 2000 are allowed');
  });
});

describe('POST /call: the simulated callee', () => {
  it('is an object', () => {
    expect(simulationSizeProblem({ answer: 'human', says: ['Yes.'] })).toBeUndefined();
    expect(simulationSizeProblem('human')).toBe('simulation must be an object like {"answer": "human", "says": ["Yes."]}');
  });

  it('is at most 16 KiB of JSON, 50 lines, 1000 characters a line', () => {
    expect(simulationSizeProblem({ answer: 'human', persona: 'p'.repeat(17_000) })).toBe('simulation is larger than 16384 characters of JSON');
    expect(simulationSizeProblem({ answer: 'human', says: Array.from({ length: 51 }, () => 'Yes.') })).toBe('simulation.says has 51 lines; at most 50 are allowed');
    expect(simulationSizeProblem({ answer: 'human', says: ['Yes.', 'y'.repeat(1001)] })).toBe('simulation.says.1 is longer than 1000 characters');
  });
});

describe('the words of the call API', () => {
  it('names the carriers a gateway knows', () => {
    expect(['twilio', 'plivo', 'sim'].every(isCarrierName)).toBe(true);
    expect(isCarrierName('vonage')).toBe(false);
  });

  it('takes an Idempotency-Key of 1 to 200 visible ASCII characters', () => {
    expect(IDEMPOTENCY_KEY.test('campaign-1:row-3:attempt-1')).toBe(true);
    expect(IDEMPOTENCY_KEY.test('k'.repeat(201))).toBe(false);
    expect(IDEMPOTENCY_KEY.test('with space')).toBe(false);
  });
});
