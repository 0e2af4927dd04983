'use strict';
/**
 * The reference DCGAN step of /work/shared/bench/torch_dcgan_step.py written with tfjs ops
 * (bench only). Same network, loss and optimiser:
 *   G: z(128) -> linear 4*4*256 -> relu -> deconv4x4/2 128 -> relu -> deconv4x4/2 64 -> relu
 *      -> deconv4x4/2 3 -> tanh
 *   D: conv4x4/2 64 -> lrelu(0.2) -> conv4x4/2 128 -> lrelu -> conv4x4/2 256 -> lrelu -> linear 1
 *   loss: non-saturating (softplus form); Adam(2e-4, 0.5, 0.999) for both; real batch fixed.
 * PyTorch's ConvTranspose2d(k=4, s=2, p=1) and Conv2d(k=4, s=2, p=1) are TF's 'same' padding here.
 */
function buildDcganStep(tf, { batch = 64, seed = 0 } = {}) {
  let s = seed;
  const nextSeed = () => (s = (s * 1103515245 + 12345) % 2147483647);
  const u = (shape, fanIn) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), 'float32', nextSeed()));
  const G = {
    w0: u([128, 4 * 4 * 256], 128), b0: u([4 * 4 * 256], 128),
    w1: u([4, 4, 128, 256], 256 * 16), b1: u([128], 256 * 16),
    w2: u([4, 4, 64, 128], 128 * 16), b2: u([64], 128 * 16),
    w3: u([4, 4, 3, 64], 64 * 16), b3: u([3], 64 * 16),
  };
  const D = {
    w1: u([4, 4, 3, 64], 3 * 16), b1: u([64], 3 * 16),
    w2: u([4, 4, 64, 128], 64 * 16), b2: u([128], 64 * 16),
    w3: u([4, 4, 128, 256], 128 * 16), b3: u([256], 128 * 16),
    w4: u([4 * 4 * 256, 1], 4096), b4: u([1], 4096),
  };
  const deconv = (x, w, b, out) => tf.add(tf.conv2dTranspose(x, w, [x.shape[0], out, out, w.shape[2]], 2, 'same'), b);
  const g = (z) => {
    let h = tf.reshape(tf.relu(tf.add(tf.matMul(z, G.w0), G.b0)), [z.shape[0], 4, 4, 256]);
    h = tf.relu(deconv(h, G.w1, G.b1, 8));
    h = tf.relu(deconv(h, G.w2, G.b2, 16));
    return tf.tanh(deconv(h, G.w3, G.b3, 32));
  };
  const d = (x) => {
    let h = tf.leakyRelu(tf.add(tf.conv2d(x, D.w1, 2, 'same'), D.b1), 0.2);
    h = tf.leakyRelu(tf.add(tf.conv2d(h, D.w2, 2, 'same'), D.b2), 0.2);
    h = tf.leakyRelu(tf.add(tf.conv2d(h, D.w3, 2, 'same'), D.b3), 0.2);
    return tf.add(tf.matMul(tf.reshape(h, [x.shape[0], -1]), D.w4), D.b4);
  };
  const optD = tf.train.adam(2e-4, 0.5, 0.999);
  const optG = tf.train.adam(2e-4, 0.5, 0.999);
  const real = tf.keep(tf.sub(tf.mul(tf.randomUniform([batch, 32, 32, 3], 0, 1, 'float32', nextSeed()), 2), 1));
  const dVars = Object.values(D);
  const gVars = Object.values(G);
  function step() {
    return tf.tidy(() => {
      const z = tf.randomNormal([batch, 128], 0, 1, 'float32', nextSeed());
      const fake = g(z);
      const dl = optD.minimize(() => tf.add(tf.mean(tf.softplus(d(fake))), tf.mean(tf.softplus(tf.neg(d(real))))), true, dVars);
      const gl = optG.minimize(() => tf.mean(tf.softplus(tf.neg(d(g(z))))), true, gVars);
      return [dl, gl];
    });
  }
  return { step, G, D, dispose: () => { for (const v of [...dVars, ...gVars]) v.dispose(); real.dispose(); optD.dispose(); optG.dispose(); } };
}
module.exports = { buildDcganStep };
