/** Injection token of the application layer's clock: handlers read `now` once and pass it to `decide`. */
export const CLOCK = Symbol('CLOCK');
export type Clock = () => Date;
