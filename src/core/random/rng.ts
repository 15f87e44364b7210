/**
 * Seeded pseudo-random numbers with a small, serialisable state.
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 47(4)); 128 bits of state, period 2^128 - 1, 32-bit output.
 * Seeding: the four state words are successive outputs of a SplitMix-style sequence
 * (Weyl increment 0x9E3779B9, then the MurmurHash3 fmix32 finaliser, Appleby), so nearby
 * seeds give unrelated streams and the state is never all zero.
 */
import { poissonDraw } from './poisson';

/** Everything needed to continue a stream exactly; plain JSON. */
export interface RngState {
  algorithm: 'xoshiro128**';
  /** the four 32-bit state words, as unsigned integers */
  s: [number, number, number, number];
  /** the second normal deviate of the last polar pair, not yet returned */
  spareNormal: number | null;
}

/** MurmurHash3 fmix32 finaliser (Appleby): a bijective avalanche on 32 bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_POW_M53 = 1 / 9007199254740992; // 2^-53

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed: number = 1) {
    this.seed(seed);
  }

  /** Restarts the stream from a seed (any finite number; its 32 low bits and the high part both count). */
  seed(seed: number): void {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let w = (lo ^ fmix32(hi ^ 0x5bd1e995)) >>> 0;
    const next = () => {
      w = (w + 0x9e3779b9) >>> 0;
      return fmix32(w);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
  }

  /** Next raw 32-bit output, an unsigned integer in [0, 2^32). */
  uint32(): number {
    // xoshiro128**: result = rotl(s1 * 5, 7) * 9
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits (two 32-bit outputs). */
  uniform(): number {
    const a = this.uint32() >>> 5; // 27 bits
    const b = this.uint32() >>> 6; // 26 bits
    return (a * 67108864 + b) * TWO_POW_M53;
  }

  /** Uniform double in (0, 1]: safe under log(). */
  uniformPositive(): number {
    return 1 - this.uniform();
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32, without modulo bias (rejection). */
  int(n: number): number {
    if (!(n >= 1 && n <= 4294967296) || Math.floor(n) !== n) throw new RangeError(`int(n) needs an integer 1 <= n <= 2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const r = this.uint32();
      if (r < limit) return r % n;
    }
  }

  /** Normal deviate; Marsaglia polar method (Marsaglia & Bray 1964), the pair's second value kept in the state. */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    let u = 0;
    let v = 0;
    let q = 0;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.spare = v * f;
    return mean + sd * u * f;
  }

  /** Exponential deviate with the given mean (inversion). */
  exponential(mean = 1): number {
    return -mean * Math.log(this.uniformPositive());
  }

  /** Poisson deviate with mean lambda >= 0 (inversion below 10, PTRS above; see poisson.ts). */
  poisson(lambda: number): number {
    return poissonDraw(this, lambda);
  }

  /** Fills `out` with normal deviates. */
  fillNormal(out: Float64Array, mean = 0, sd = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, sd);
    return out;
  }

  getState(): RngState {
    return { algorithm: 'xoshiro128**', s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spareNormal: this.spare };
  }

  setState(state: RngState): void {
    if (!state || state.algorithm !== 'xoshiro128**' || !Array.isArray(state.s) || state.s.length !== 4) {
      throw new TypeError('setState: not an xoshiro128** state');
    }
    for (const w of state.s) {
      if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) throw new TypeError(`setState: state word ${w} is not a 32-bit unsigned integer`);
    }
    if ((state.s[0] | state.s[1] | state.s[2] | state.s[3]) === 0) throw new TypeError('setState: the all-zero state is invalid');
    const spare = state.spareNormal;
    if (spare !== null && spare !== undefined && !Number.isFinite(spare)) throw new TypeError('setState: spareNormal must be a finite number or null');
    this.s0 = state.s[0] | 0;
    this.s1 = state.s[1] | 0;
    this.s2 = state.s[2] | 0;
    this.s3 = state.s[3] | 0;
    this.spare = spare ?? null;
  }

  /** An independent copy continuing from the same point. */
  clone(): Rng {
    const r = new Rng(0);
    r.setState(this.getState());
    return r;
  }
}

/** Convenience constructor. */
export function createRng(seed: number = 1): Rng {
  return new Rng(seed);
}
