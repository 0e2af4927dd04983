import { config, configurable, ConfigError, externalConfigurable, getConfigurable, REQUIRED, registry, t, ConfigurableReference, MacroReference } from '@cgan/config-lang';

const hinge = configurable('hinge', { module: 'loss_lib', params: { margin: 1.0 } }, (kw: { margin: number; x?: number }) => kw.margin * (kw.x ?? 1));
const loss = configurable('loss', { params: { fn: REQUIRED } }, (kw: { fn: (k: object) => number; x: number }) => kw.fn({ x: kw.x }));

@configurable('ModularGAN', { params: { g_lr: 0.0002, d_lr: { default: 0.0002, type: t.number }, disc_iters: { default: 1, type: t.int } } })
class ModularGAN {
  constructor(readonly kw: { g_lr: number; d_lr: number; disc_iters: number }) {}
}

class Adam {
  constructor(readonly opts: { learning_rate: number; beta1: number }) {}
}
externalConfigurable(Adam, 'AdamOptimizer', { module: 'tf.train', kind: 'class', params: { learning_rate: REQUIRED, beta1: 0.9 } });

afterEach(() => config.clear());

test('bindings fill parameters; explicit arguments win; defaults otherwise', () => {
  expect(hinge({ x: 2 })).toBe(2);
  config.bind([], 'hinge', 'margin', 3);
  expect(hinge({ x: 2 })).toBe(6);
  expect(hinge({ x: 2, margin: 5 })).toBe(10);
});

test('module-qualified and short selectors reach the same configurable', () => {
  config.bind([], 'loss_lib.hinge', 'margin', 4);
  expect(config.query('hinge', 'margin')).toBe(4);
  config.bind([], 'tf.train.AdamOptimizer', 'beta1', 0.5);
  config.bind([], 'AdamOptimizer', 'learning_rate', 0.1);
  const A = getConfigurable('AdamOptimizer') as any;
  expect(new A().opts).toEqual({ learning_rate: 0.1, beta1: 0.5 });
});

test('innermost scope wins and references carry their scope', () => {
  config.bind([], 'hinge', 'margin', 2);
  config.bind(['gen'], 'hinge', 'margin', 7);
  config.bind(['gen'], 'loss', 'fn', new ConfigurableReference('hinge', ['gen']));
  config.bind([], 'loss', 'fn', new ConfigurableReference('hinge'));
  expect(loss({ x: 1 })).toBe(2);
  expect(config.withScope('gen', () => loss({ x: 1 }))).toBe(7);
});

test('classes are configured through their kwargs and type-checked at bind time', () => {
  config.bind([], 'ModularGAN', 'g_lr', 0.001);
  const g = new (ModularGAN as any)();
  expect(g.kw).toEqual({ g_lr: 0.001, d_lr: 0.0002, disc_iters: 1 });
  expect(() => config.bind([], 'ModularGAN', 'disc_iters', 1.5)).toThrow(/expected int/);
  expect(() => config.bind([], 'ModularGAN', 'g_rl', 1)).toThrow(ConfigError);
  try {
    config.bind([], 'ModularGAN', 'g_rl', 1);
  } catch (e) {
    expect((e as ConfigError).hint).toMatch(/g_lr/);
  }
});

test('unknown configurables suggest close names; REQUIRED fails with the full selector', () => {
  expect(() => config.bind([], 'ModularGA', 'g_lr', 1)).toThrow(/No configurable matching 'ModularGA'/);
  expect(() => config.withScope('a/b', () => loss({ x: 1 }))).toThrow(/'a\/b\/loss.fn' was not supplied/);
});

test('missingRequired lists, without a call, exactly the errors a call would throw', () => {
  const info = registry.lookup('AdamOptimizer');
  const A = getConfigurable('AdamOptimizer') as any;
  const thrown = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as ConfigError).message;
    }
    return undefined;
  };
  expect(config.missingRequired(info).map((e) => e.message)).toEqual(["Required parameter 'tf.train.AdamOptimizer.learning_rate' was not supplied."]);
  expect(thrown(() => new A())).toBe(config.missingRequired(info)[0].message);
  // Scoped: a binding in an outer scope counts, %gin.REQUIRED does not.
  config.bind([], 'AdamOptimizer', 'learning_rate', 0.1);
  expect(config.missingRequired(info, ['d'])).toEqual([]);
  config.bind(['d'], 'AdamOptimizer', 'learning_rate', REQUIRED);
  expect(config.missingRequired(info, ['d']).map((e) => e.message)).toEqual(["Required parameter 'd/tf.train.AdamOptimizer.learning_rate' was not supplied."]);
  expect(thrown(() => config.withScope('d', () => new A()))).toBe(config.missingRequired(info, ['d'])[0].message);
  expect(config.missingRequired(info)).toEqual([]);
  // A parameter with a default is missing only when bound to %gin.REQUIRED.
  config.bind([], 'AdamOptimizer', 'beta1', REQUIRED);
  expect(config.missingRequired(info).map((e) => e.message)).toEqual(["Required parameter 'tf.train.AdamOptimizer.beta1' was not supplied."]);
});

test('macros resolve lazily; evaluated references are called at injection', () => {
  config.bindMacro('M', 9);
  config.bind([], 'hinge', 'margin', new MacroReference('M'));
  expect(hinge({ x: 1 })).toBe(9);
  config.bindMacro('M', 10);
  expect(hinge({ x: 1 })).toBe(10);
});
