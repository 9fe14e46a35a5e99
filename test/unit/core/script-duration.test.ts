import { describe, expect, it } from "vitest";
import { Rational } from "#core/decimal";
import { scriptDuration } from "#core/script-duration";

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");

describe("scriptDuration", () => {
  it.each([
    {
      name: "150 words at speed 1: 150 ÷ 150/min = 60 s",
      script: words(150),
      speed: 1,
      seconds: 60,
      count: 150,
    },
    { name: "3 words: 3 ÷ 150/min = 1.2 s", script: "one two three", speed: 1, seconds: 1.2, count: 3 },
    {
      name: "150 words at speed 2: 150 ÷ 300/min = 30 s",
      script: words(150),
      speed: 2,
      seconds: 30,
      count: 150,
    },
    {
      name: "150 words at speed 0.5: 150 ÷ 75/min = 120 s",
      script: words(150),
      speed: 0.5,
      seconds: 120,
      count: 150,
    },
    {
      name: "SSML breaks add 1.5 s + 0.5 s and are not words: 3 words 1.2 s + 2 s = 3.2 s",
      script: 'one <break time="1.5s"/> two <break time="500ms" /> three',
      speed: 1,
      seconds: 3.2,
      count: 3,
    },
    {
      name: "breaks are not sped up: 150 words at speed 2 = 30 s, + 2 s = 32 s",
      script: `${words(150)} <break time="2s"/>`,
      speed: 2,
      seconds: 32,
      count: 150,
    },
    {
      name: "a break without time is 0.5 s: 1 word 0.4 s + 0.5 s = 0.9 s",
      script: "hello<break/>",
      speed: 1,
      seconds: 0.9,
      count: 1,
    },
    {
      name: "other tags are not words: 2 words = 0.8 s",
      script: '<speak><prosody rate="slow">hello there</prosody></speak>',
      speed: 1,
      seconds: 0.8,
      count: 2,
    },
    {
      name: "punctuation alone is not a word: 2 words = 0.8 s",
      script: "hello — there !",
      speed: 1,
      seconds: 0.8,
      count: 2,
    },
  ])("$name", ({ script, speed, seconds, count }) => {
    const result = scriptDuration(script, speed);
    expect(result.seconds).toBe(seconds);
    expect(result.words).toBe(count);
  });

  it("counts Chinese and Japanese by character at 4 per second", () => {
    // 你好世界 = 4 Han characters ÷ 4/s = 1 s; こんにちは = 5 kana ÷ 4/s = 1.25 s.
    expect(scriptDuration("你好世界").seconds).toBe(1);
    expect(scriptDuration("こんにちは").seconds).toBe(1.25);
    expect(scriptDuration("你好世界")).toMatchObject({ words: 0, characters: 4 });
    // The long-vowel mark ー belongs to both kana scripts and is a character, not a stray word.
    expect(scriptDuration("コーヒー")).toMatchObject({ words: 0, characters: 4 });
  });

  it("counts Thai by letter, not by its vowel and tone marks", () => {
    // สวัสดีครับ: letters ส ว ส ด ค ร บ = 7 (ั ี are marks) ÷ 4/s = 1.75 s.
    expect(scriptDuration("สวัสดีครับ")).toMatchObject({ characters: 7, seconds: 1.75 });
  });

  it("adds words and characters in a mixed script, both at voiceSpeed", () => {
    // "Hello 世界": 1 word ÷ 300/min = 0.2 s + 2 characters ÷ 8/s = 0.25 s = 0.45 s.
    expect(scriptDuration("Hello 世界", 2)).toMatchObject({ words: 1, characters: 2, seconds: 0.45 });
  });

  it("treats Korean, which spaces its words, as words", () => {
    expect(scriptDuration("안녕하세요 여러분")).toMatchObject({ words: 2, characters: 0 });
  });

  it("keeps the exact fraction for speeds with no finite decimal", () => {
    // 10 words ÷ (150 × 0.7)/min = 600/105 s = 40/7 s.
    expect(scriptDuration(words(10), 0.7).exactSeconds.compare(Rational.of(40, 7))).toBe(0);
  });

  it("states its assumption: the pace, the voice speed and the pauses", () => {
    const { assumption } = scriptDuration('one two <break time="1s"/> 三', 1.25);
    expect(assumption).toContain("150 words/min");
    expect(assumption).toContain("4/s");
    expect(assumption).toContain("voiceSpeed 1.25");
    expect(assumption).toContain("1 s of SSML breaks");
  });
});
