/** Gives back what was held. Calls after the first do nothing, so every way out may call it. */
export type Release = () => void;

export function releaseOnce(giveBack: () => void): Release {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    giveBack();
  };
}
