import { describe, expect, it } from "vitest";
import { LearningRateScheduleSchema, learningRateAt, type LearningRateScheduleInput } from "./schedule.js";

const at = (input: LearningRateScheduleInput, step: number) => learningRateAt(LearningRateScheduleSchema.parse(input), step);

describe("learning-rate schedules", () => {
  it("constant: the same rate at every step", () => {
    for (const step of [0, 1, 1000]) expect(at({ kind: "constant", lr: 0.01 }, step)).toBe(0.01);
  });

  it("exponential: falls by decayRate every decaySteps steps, from lr at step 0", () => {
    const s = { kind: "exponential", lr: 5e-4, decayRate: 0.1, decaySteps: 1000 } as const;
    expect(at(s, 0)).toBe(5e-4);
    expect(at(s, 1000)).toBeCloseTo(5e-5, 15);
    expect(at(s, 2000)).toBeCloseTo(5e-6, 15);
    expect(at(s, 500)).toBeCloseTo(5e-4 * Math.sqrt(0.1), 15);
    expect(at({ kind: "exponential", lr: 1, decaySteps: 10 }, 10)).toBeCloseTo(0.1, 15);
  });

  it("exponential with warm-up: linear to the decayed rate", () => {
    const s = { kind: "exponential", lr: 1, decayRate: 0.5, decaySteps: 100, warmupSteps: 4 } as const;
    expect(at(s, 0)).toBeCloseTo(0.25 * 0.5 ** 0, 15);
    expect(at(s, 3)).toBeCloseTo(0.5 ** 0.03, 15);
    expect(at(s, 4)).toBeCloseTo(0.5 ** 0.04, 15);
  });

  it("cosine: linear warm-up to lr, then a half cosine to minLr, flat after totalSteps", () => {
    const s = { kind: "cosine", lr: 1, minLr: 0.1, warmupSteps: 10, totalSteps: 110 } as const;
    expect(at(s, 0)).toBeCloseTo(0.1, 15);
    expect(at(s, 4)).toBeCloseTo(0.5, 15);
    expect(at(s, 9)).toBe(1);
    expect(at(s, 10)).toBe(1);
    expect(at(s, 60)).toBeCloseTo(0.55, 12);
    expect(at(s, 110)).toBeCloseTo(0.1, 15);
    expect(at(s, 5000)).toBeCloseTo(0.1, 15);
    // Monotone after the warm-up.
    for (let i = 10; i < 120; i++) expect(at(s, i + 1)).toBeLessThanOrEqual(at(s, i));
    // Without a warm-up, it starts at lr; minLr defaults to 0.
    expect(at({ kind: "cosine", lr: 2, totalSteps: 4 }, 0)).toBe(2);
    expect(at({ kind: "cosine", lr: 2, totalSteps: 4 }, 2)).toBeCloseTo(1, 15);
    expect(at({ kind: "cosine", lr: 2, totalSteps: 4 }, 4)).toBeCloseTo(0, 15);
  });

  it("is a pure function of the step", () => {
    const s = LearningRateScheduleSchema.parse({ kind: "cosine", lr: 1, warmupSteps: 3, totalSteps: 50 });
    const forward = Array.from({ length: 60 }, (_, i) => learningRateAt(s, i));
    const backward = Array.from({ length: 60 }, (_, i) => learningRateAt(s, 59 - i)).reverse();
    expect(backward).toEqual(forward);
  });

  it("rejects bad schedules and steps", () => {
    expect(LearningRateScheduleSchema.safeParse({ kind: "linear", lr: 1 }).success).toBe(false);
    expect(LearningRateScheduleSchema.safeParse({ kind: "constant", lr: 1, typo: 2 }).success).toBe(false);
    expect(LearningRateScheduleSchema.safeParse({ kind: "constant", lr: -1 }).success).toBe(false);
    expect(LearningRateScheduleSchema.safeParse({ kind: "exponential", lr: 1 }).success).toBe(false);
    expect(() => at({ kind: "constant", lr: 1 }, -1)).toThrow(RangeError);
    expect(() => at({ kind: "constant", lr: 1 }, 1.5)).toThrow(RangeError);
  });
});
