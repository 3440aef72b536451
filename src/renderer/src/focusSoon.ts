/** Moves focus to the first element that matches one of `selectors` (tried in order), once
 * React has drawn the next screen and a closing dialog has put focus back where it was. */
export function focusSoon(...selectors: string[]): void {
  window.setTimeout(() => {
    for (const selector of selectors) {
      const target = document.querySelector<HTMLElement>(selector);
      if (target) {
        target.focus();
        return;
      }
    }
  }, 50);
}
