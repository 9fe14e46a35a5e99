/**
 * Exact arithmetic for money and durations. Values are fractions of two bigints, so decimal rates
 * ("0.0167") and divisions (words ÷ 150 words/min, seconds ÷ 60) never drift: 3 × 0.0167 × 60 is 3.006,
 * not 3.0060000000000002. Only `toNumber` and `toDecimalString` leave the exact world.
 */
export class Rational {
  static readonly ZERO = new Rational(0n, 1n);
  static readonly ONE = new Rational(1n, 1n);

  private constructor(
    readonly numerator: bigint,
    readonly denominator: bigint,
  ) {}

  static of(numerator: bigint | number, denominator: bigint | number = 1n): Rational {
    let n = BigInt(numerator);
    let d = BigInt(denominator);
    if (d === 0n) throw new RangeError("Rational: division by zero");
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const divisor = gcd(n < 0n ? -n : n, d);
    return new Rational(n / divisor, d / divisor);
  }

  /** Parses a decimal ("0.0667", "7", "1e-7") or a fraction ("31/300"); anything else is a RangeError. */
  static parse(text: string): Rational {
    const ratio = /^(-?\d+)\/(\d+)$/.exec(text.trim());
    if (ratio) return Rational.of(BigInt(ratio[1] ?? "0"), BigInt(ratio[2] ?? "1"));
    const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text.trim());
    if (!match) throw new RangeError(`not a decimal number: "${text}"`);
    const [, sign = "", whole = "0", fraction = "", exponentText = "0"] = match;
    const exponent = Number(exponentText) - fraction.length;
    const digits = BigInt(`${sign}${whole}${fraction}`);
    return exponent >= 0
      ? Rational.of(digits * 10n ** BigInt(exponent))
      : Rational.of(digits, 10n ** BigInt(-exponent));
  }

  /** The decimal the number was written as (its shortest round-trip form), not its binary expansion. */
  static fromNumber(value: number): Rational {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return Rational.parse(String(value));
  }

  add(other: Rational): Rational {
    return Rational.of(
      this.numerator * other.denominator + other.numerator * this.denominator,
      this.denominator * other.denominator,
    );
  }

  mul(other: Rational): Rational {
    return Rational.of(this.numerator * other.numerator, this.denominator * other.denominator);
  }

  div(other: Rational): Rational {
    return Rational.of(this.numerator * other.denominator, this.denominator * other.numerator);
  }

  compare(other: Rational): number {
    const difference = this.numerator * other.denominator - other.numerator * this.denominator;
    return difference === 0n ? 0 : difference < 0n ? -1 : 1;
  }

  max(other: Rational): Rational {
    return this.compare(other) >= 0 ? this : other;
  }

  isZero(): boolean {
    return this.numerator === 0n;
  }

  /** The smallest integer ≥ this. */
  ceil(): Rational {
    return Rational.of(ceilDiv(this.numerator, this.denominator));
  }

  /** The smallest multiple of `step` ≥ this (`step` > 0). */
  ceilToMultiple(step: Rational): Rational {
    return this.div(step).ceil().mul(step);
  }

  /** Rounds up to `fractionDigits` decimals (money: never show less than will be spent). */
  ceilToDecimals(fractionDigits: number): Rational {
    return this.ceilToMultiple(Rational.of(1n, 10n ** BigInt(fractionDigits)));
  }

  /** Exact when the value is a terminating decimal, else rounded up at `maxFractionDigits`. */
  toDecimalString(maxFractionDigits = 12): string {
    const scale = 10n ** BigInt(maxFractionDigits);
    const scaled = ceilDiv(this.numerator * scale, this.denominator);
    const negative = scaled < 0n;
    const digits = (negative ? -scaled : scaled).toString().padStart(maxFractionDigits + 1, "0");
    const whole = digits.slice(0, digits.length - maxFractionDigits);
    const fraction = digits.slice(digits.length - maxFractionDigits).replace(/0+$/, "");
    return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
  }

  /** Exactly: a decimal when one exists (3.006), else the fraction ("31/300" has no finite decimal). */
  toExactString(): string {
    const digits = decimalDigits(this.denominator);
    return digits === undefined ? `${this.numerator}/${this.denominator}` : this.toDecimalString(digits);
  }

  /** The nearest double (for JSON answers). */
  toNumber(): number {
    return Number(this.toDecimalString(20));
  }

  toString(): string {
    return this.toDecimalString();
  }
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

/** How many decimals 1/denominator needs, or undefined when it never terminates (a factor other than 2, 5). */
function decimalDigits(denominator: bigint): number | undefined {
  let rest = denominator;
  let twos = 0;
  let fives = 0;
  for (; rest % 2n === 0n; rest /= 2n) twos++;
  for (; rest % 5n === 0n; rest /= 5n) fives++;
  return rest === 1n ? Math.max(twos, fives) : undefined;
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  return numerator % denominator > 0n ? quotient + 1n : quotient;
}
