/**
 * Correctly rounded `base ** exp` for positive finite doubles.
 *
 * The long-tailed count formula truncates `n_max * (1/rho) ** (i / (C - 1))`, so one ulp of
 * error in the power moves a count by one image whenever the product lands on an integer.
 * The reference (LDAM-DRW's Python) uses the C library's pow, which on glibc is correctly
 * rounded in practice; V8's Math.pow is not (it differs by an ulp on about 1 in 10 of the
 * profile's powers). `exactPow` settles the rounding with 192-bit fixed-point logarithms on
 * BigInt. It costs tens of microseconds, so callers use it only where the fast result is near
 * an integer boundary.
 */

const P = 192n;
const ONE = 1n << P;

function atanhFixed(z: bigint): bigint {
  // atanh(z) = z + z^3/3 + z^5/5 + ...; z <= 1/3 here, so each term gains > 3 bits.
  const z2 = (z * z) >> P;
  let term = z;
  let sum = 0n;
  for (let k = 1n; term !== 0n; k += 2n) {
    sum += term / k;
    term = (term * z2) >> P;
  }
  return sum;
}

const LN2 = 2n * atanhFixed(ONE / 3n);

/** ln(m * 2^e) scaled by 2^P, for an integer m >= 1 below 2^P. */
function lnFixed(m: bigint, e: number): bigint {
  const s = m.toString(2).length - 1;
  const u = m << (P - BigInt(s)); // m / 2^s in [1, 2), fixed point
  const lnU = 2n * atanhFixed(((u - ONE) << P) / (u + ONE));
  return lnU + BigInt(s + e) * LN2;
}

const view = new DataView(new ArrayBuffer(8));

function bits(x: number): bigint {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

function fromBits(b: bigint): number {
  view.setBigUint64(0, b);
  return view.getFloat64(0);
}

/** x = m * 2^e with m an integer (x positive and finite). */
function decompose(x: number): { m: bigint; e: number } {
  const b = bits(x);
  const biased = Number(b >> 52n);
  const frac = b & ((1n << 52n) - 1n);
  return biased === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: biased - 1075 };
}

/** ln of the point halfway between positive double x and the next double up, scaled by 2^P. */
function lnMidAbove(x: number): bigint {
  const { m, e } = decompose(x);
  return lnFixed(2n * m + 1n, e - 1);
}

export function exactPow(base: number, exp: number): number {
  if (!(base > 0 && Number.isFinite(base) && Number.isFinite(exp))) {
    throw new RangeError(`exactPow needs a positive finite base and a finite exponent (got ${base}, ${exp})`);
  }
  if (exp === 0 || base === 1) return 1;
  if (exp === 1) return base;
  const b = decompose(base);
  const x = decompose(exp);
  const lnBase = lnFixed(b.m, b.e);
  // exp * ln(base), exactly in the exponent's bits, rounded only by the final shift
  const prod = (exp < 0 ? -x.m : x.m) * lnBase;
  const target = x.e >= 0 ? prod << BigInt(x.e) : prod >> BigInt(-x.e);
  let y = Math.pow(base, exp);
  if (!(y > 0 && Number.isFinite(y))) return y; // under- or overflow: nothing to round
  // Math.pow is within an ulp or two, so these loops take at most a couple of steps.
  while (target > lnMidAbove(y)) y = fromBits(bits(y) + 1n);
  while (y > Number.MIN_VALUE) {
    const below = fromBits(bits(y) - 1n);
    if (target < lnMidAbove(below)) y = below;
    else break;
  }
  return y;
}
