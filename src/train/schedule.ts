import { z } from "zod";

const rate = () => z.number().finite().nonnegative();
const steps = () => z.number().int().nonnegative();

/**
 * A learning-rate schedule, a union on `kind`. For an optimizer with several
 * parameter groups, use `lr: 1` and multiply each group's base rate by the value.
 */
export const LearningRateScheduleSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("constant").describe("the same rate at every step"),
    lr: rate().describe("the learning rate"),
  }),
  z.strictObject({
    kind: z.literal("exponential").describe("lr * decayRate^(step / decaySteps), as in NeRF (Mildenhall et al. 2020)"),
    lr: rate().describe("the learning rate at step 0"),
    decayRate: z.number().finite().positive().max(1).default(0.1).describe("factor the rate is multiplied by every `decaySteps` steps"),
    decaySteps: z.number().int().positive().describe("steps over which the rate falls by `decayRate`"),
    warmupSteps: steps().default(0).describe("steps of linear warm-up from lr / warmupSteps to lr at the start"),
  }),
  z.strictObject({
    kind: z.literal("cosine").describe("linear warm-up, then a half cosine from lr to minLr (Loshchilov and Hutter 2017, https://arxiv.org/abs/1608.03983)"),
    lr: rate().describe("the peak learning rate, reached at the end of the warm-up"),
    minLr: rate().default(0).describe("the rate at `totalSteps` and after"),
    warmupSteps: steps().default(0).describe("steps of linear warm-up from lr / warmupSteps to lr"),
    totalSteps: z.number().int().positive().describe("step at which the cosine reaches minLr"),
  }),
]).describe("learning-rate schedule");

/** A resolved learning-rate schedule (defaults filled in). */
export type LearningRateSchedule = z.output<typeof LearningRateScheduleSchema>;
/** A learning-rate schedule as written in a config (defaults optional). */
export type LearningRateScheduleInput = z.input<typeof LearningRateScheduleSchema>;

/**
 * The learning rate at 0-based `step`: a pure function of the step, so a resumed run
 * uses the same rates as an uninterrupted one. Warm-up is linear: step `i < warmupSteps`
 * gets `lr * (i + 1) / warmupSteps`, so no step has a zero rate.
 */
export function learningRateAt(schedule: LearningRateSchedule, step: number): number {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`learningRateAt: step must be a non-negative integer, got ${step}`);
  switch (schedule.kind) {
    case "constant":
      return schedule.lr;
    case "exponential":
      return warmup(step, schedule.warmupSteps) * schedule.lr * schedule.decayRate ** (step / schedule.decaySteps);
    case "cosine": {
      const { lr, minLr, warmupSteps, totalSteps } = schedule;
      if (step < warmupSteps) return warmup(step, warmupSteps) * lr;
      const span = Math.max(1, totalSteps - warmupSteps);
      const progress = Math.min(1, (step - warmupSteps) / span);
      return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
    }
  }
}

/** Linear warm-up factor of step `step` over `warmupSteps` steps (1 after it). */
function warmup(step: number, warmupSteps: number): number {
  return step < warmupSteps ? (step + 1) / warmupSteps : 1;
}
