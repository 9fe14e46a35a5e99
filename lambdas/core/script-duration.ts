import { Rational } from "./decimal.ts";

/** Typical narration pace of a HeyGen voice at voiceSpeed 1.0. */
export const WORDS_PER_MINUTE = 150;

/**
 * Scripts without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese) cannot be counted in
 * words; their letters are counted instead. Four per second (240 a minute) is a typical narration pace for
 * Chinese and Japanese and errs long for Thai, which is the safe side for a credit check.
 */
export const CHARACTERS_PER_SECOND = 4;

/** An SSML `<break/>` without a `time` is a medium pause. */
export const DEFAULT_BREAK_SECONDS = 0.5;

/** Letters (not vowel or tone marks) of the scripts written without spaces between words. */
const NON_SPACE_DELIMITED =
  /(?=\p{L})[\p{Script_Extensions=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}\p{Script_Extensions=Thai}\p{Script_Extensions=Lao}\p{Script_Extensions=Khmer}\p{Script_Extensions=Myanmar}]/gu;
const BREAK_TAG = /<break\b([^>]*)>/gi;
const BREAK_TIME = /\btime\s*=\s*["']\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*["']/i;
const ANY_TAG = /<[^>]*>/g;
const WORD = /[\p{L}\p{N}]/u;

export interface ScriptDuration {
  seconds: number;
  /** The same duration as an exact fraction, for the estimator's arithmetic. */
  exactSeconds: Rational;
  words: number;
  /** Letters of non-space-delimited scripts, counted instead of words. */
  characters: number;
  pauseSeconds: number;
  /** How the duration was derived, for the estimate's `assumptions`. */
  assumption: string;
}

/**
 * Spoken duration of a script: words ÷ (150 words/min × voiceSpeed), letters of non-space-delimited
 * scripts ÷ (4/s × voiceSpeed), plus SSML break pauses (which voiceSpeed does not shorten). Tags are
 * not words.
 */
export function scriptDuration(script: string, voiceSpeed = 1): ScriptDuration {
  const speed = Rational.fromNumber(voiceSpeed);
  const pauses = sumBreaks(script);
  const text = script.replace(ANY_TAG, " ");
  const characters = text.match(NON_SPACE_DELIMITED)?.length ?? 0;
  const words = countWords(text.replace(NON_SPACE_DELIMITED, " "));

  const wordSeconds = Rational.of(words * 60).div(Rational.of(WORDS_PER_MINUTE).mul(speed));
  const characterSeconds = Rational.of(characters).div(Rational.of(CHARACTERS_PER_SECOND).mul(speed));
  const exactSeconds = wordSeconds.add(characterSeconds).add(pauses);
  const pauseSeconds = pauses.toNumber();

  return {
    seconds: exactSeconds.toNumber(),
    exactSeconds,
    words,
    characters,
    pauseSeconds,
    assumption: describe(exactSeconds, words, characters, pauseSeconds, voiceSpeed),
  };
}

function sumBreaks(script: string): Rational {
  let total = Rational.ZERO;
  for (const [, attributes = ""] of script.matchAll(BREAK_TAG)) {
    total = total.add(breakSeconds(attributes));
  }
  return total;
}

function breakSeconds(attributes: string): Rational {
  const time = BREAK_TIME.exec(attributes);
  if (!time) return Rational.fromNumber(DEFAULT_BREAK_SECONDS);
  const amount = Rational.parse(time[1] ?? "0");
  return time[2]?.toLowerCase() === "ms" ? amount.div(Rational.of(1000)) : amount;
}

function countWords(text: string): number {
  return text.split(/\s+/u).filter((token) => WORD.test(token)).length;
}

function describe(
  seconds: Rational,
  words: number,
  characters: number,
  pauseSeconds: number,
  voiceSpeed: number,
): string {
  const parts = [`${words} words at ${WORDS_PER_MINUTE} words/min`];
  if (characters > 0) parts.push(`${characters} characters at ${CHARACTERS_PER_SECOND}/s (no word spaces)`);
  const paced = `${parts.join(" + ")} × voiceSpeed ${voiceSpeed}`;
  const pauses = pauseSeconds > 0 ? ` + ${pauseSeconds} s of SSML breaks` : "";
  return `script read as ${paced}${pauses} ≈ ${seconds.toDecimalString(1)} s`;
}
