/**
 * Two things pickleparser does copy a container without any opcode paying for it, so that a few
 * bytes of pickle repeated could make gigabytes:
 *
 *   BUILD on an object without `__setstate__` copies the whole state into it (`Object.assign`,
 *   or every entry of `state['__dict__']` into a dict), once per BUILD of a memoised state;
 *   DICT sets `dict[key]`, which turns a list or bytes key into a string of all its items, so
 *   nested lists make a string exponential in their depth.
 *
 * numpy's pickles do neither: BUILD goes only to an array or a dtype (which have `__setstate__`),
 * and dict keys are strings. While a parse runs (it is synchronous), `__setstate__` and
 * `Symbol.toPrimitive` on Object.prototype refuse both: every other object reaches them.
 */

export interface Traps {
  /** Takes the traps away again; call it in a `finally`. */
  release(): void;
}

/** Sets the traps; `refusal` makes the error they throw. */
export function trapImplicitCopies(refusal: () => Error): Traps {
  const refuse = function (): never {
    throw refusal();
  };
  const trap = { value: refuse, configurable: true, enumerable: false, writable: true };
  Object.defineProperty(Object.prototype, '__setstate__', trap);
  Object.defineProperty(Object.prototype, Symbol.toPrimitive, trap);
  return {
    release: () => {
      delete (Object.prototype as { __setstate__?: unknown }).__setstate__;
      delete (Object.prototype as { [Symbol.toPrimitive]?: unknown })[Symbol.toPrimitive];
    },
  };
}
